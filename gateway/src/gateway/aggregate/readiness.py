"""The platform's readiness as the gateway sees it: each service's own /readyz (every replica's)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import httpx

from gateway.proxy.balancer import Replicas


async def services_readiness(http: httpx.AsyncClient, replicas: Mapping[str, Replicas]) -> dict[str, Any]:
    """``{"platform": "ready" | "degraded", "services": {"<name>-api": "ready" | why not}}``.

    A service with several replicas is ``ready`` when all of them are; otherwise its entry says how
    many are and why each of the others is not.
    """

    async def check(url: str) -> str:
        try:
            resp = await http.get(f"{url}/readyz", timeout=2.0)
        except httpx.TimeoutException:
            return "no answer within 2 s"
        except httpx.HTTPError as exc:
            return f"unreachable ({type(exc).__name__})"
        if resp.status_code == 200:
            return "ready"
        try:
            return f"not ready: {resp.json().get('detail', resp.status_code)}"
        except ValueError:
            return f"not ready: HTTP {resp.status_code}"

    def summary(urls: list[str], results: list[str]) -> str:
        if len(results) == 1 or all(r == "ready" for r in results):
            return results[0]
        ready = sum(r == "ready" for r in results)
        why = "; ".join(f"{url}: {r}" for url, r in zip(urls, results, strict=True) if r != "ready")
        return f"{ready} of {len(results)} replicas ready ({why})"

    names = list(replicas)
    urls = {name: [replica.url for replica in replicas[name]] for name in names}
    results = await asyncio.gather(*(asyncio.gather(*(check(url) for url in urls[n])) for n in names))
    services = {f"{n}-api": summary(urls[n], list(r)) for n, r in zip(names, results, strict=True)}
    return {"platform": "ready" if all(r == "ready" for r in services.values()) else "degraded", "services": services}
