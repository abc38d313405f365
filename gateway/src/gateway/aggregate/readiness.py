"""The platform's readiness as the gateway sees it: each service's own /readyz."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx


async def services_readiness(http: httpx.AsyncClient, upstreams: dict[str, str]) -> dict[str, Any]:
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

    names = list(upstreams)
    results = await asyncio.gather(*(check(upstreams[n]) for n in names))
    services = {f"{n}-api": r for n, r in zip(names, results, strict=True)}
    return {"platform": "ready" if all(r == "ready" for r in results) else "degraded", "services": services}
