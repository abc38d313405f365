"""Liveness, readiness (database answers and migrations are at head) and Prometheus metrics.

/healthz answers anyone. /metrics and /readyz tell how the service is built and how it is doing, so
they answer only clients in the `metrics_allow` networks (the settings): the peer and every address
a proxy in between forwarded must be in one of them, so a request relayed from the public internet by
a proxy on a private address is refused too. Anyone else gets 404, as for a path that does not exist.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from ipaddress import IPv4Address, IPv6Address, ip_address
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import literal, select
from starlette.exceptions import HTTPException

from service_kit.migrations import current_revisions
from service_kit.problems import PROBLEM_MEDIA_TYPE, problems

ExtraReadiness = Callable[[Any], Awaitable[dict[str, Any]]]
_FORWARDED_FOR = re.compile(r'for=("[^"]*"|[^;,\s]+)', re.IGNORECASE)


def client_addresses(request: Request) -> list[str]:
    """The peer's address and every client address a proxy put in the request's headers."""
    found = [request.client.host if request.client is not None else ""]
    for value in request.headers.getlist("x-forwarded-for"):
        found += [part.strip() for part in value.split(",")]
    for value in request.headers.getlist("x-real-ip"):
        found.append(value.strip())
    for value in request.headers.getlist("forwarded"):
        for match in _FORWARDED_FOR.finditer(value):
            node = match.group(1).strip('"')
            if node.startswith("["):
                node = node[1 : node.find("]")] if "]" in node else node
            elif node.count(":") == 1:
                node = node.split(":")[0]  # an IPv4 address with a port
            found.append(node)
    return found


def _parse(text: str) -> IPv4Address | IPv6Address | None:
    try:
        address = ip_address(text)
    except ValueError:
        return None
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def allowed_to_look_inside(request: Request) -> bool:
    """Whether every address the request came through is in the `metrics_allow` networks (an address
    that is missing or not an address, such as "unknown", is not)."""
    networks = request.app.state.settings.metrics_networks()
    for text in client_addresses(request):
        address = _parse(text)
        if address is None or not any(address in network for network in networks):
            return False
    return True


def _only_allowed(request: Request) -> None:
    if not allowed_to_look_inside(request):
        raise HTTPException(404)  # the answer for a path that does not exist


def make_health_router(extra: ExtraReadiness | None = None) -> APIRouter:
    """`extra(app)` adds facts to a ready answer (the gateway lists its services there)."""
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="The process is alive")
    async def healthz(request: Request) -> dict[str, str]:
        return {"status": "ok", "service": request.app.state.settings.service_name}

    @router.get(
        "/readyz",
        summary="Ready: the database answers and its migrations are at head",
        description="Answers only the operators' networks (METRICS_ALLOW); anyone else gets 404.",
        responses=problems(404, 503),
    )
    async def readyz(request: Request) -> Response:
        _only_allowed(request)
        state = request.app.state
        checks: dict[str, Any] = {}
        ready = True
        current: set[str] = set()
        try:
            async with asyncio.timeout(5):
                async with state.sessionmaker() as session:
                    await session.execute(select(literal(1)))
                    current = await current_revisions(session)
            checks["database"] = "ok"
        except Exception as exc:  # readiness reports, it does not raise
            checks["database"] = f"unreachable: {type(exc).__name__}"
            ready = False
        if ready:
            expected = state.migration_heads
            if current == expected:
                checks["migrations"] = f"at head {','.join(sorted(current))}"
            else:
                checks["migrations"] = (
                    f"at {','.join(sorted(current)) or 'nothing'}, head is {','.join(sorted(expected))}"
                )
                ready = False
        if ready:
            body = {"status": "ready", "service": state.settings.service_name, "checks": checks}
            if extra is not None:
                body.update(await extra(request.app))
            return JSONResponse(body)
        problem = {
            "type": "/problems/not-ready",
            "title": "Not ready",
            "status": 503,
            "detail": "; ".join(f"{k}: {v}" for k, v in checks.items()),
            "service": state.settings.service_name,
            "checks": checks,
        }
        return JSONResponse(problem, status_code=503, media_type=PROBLEM_MEDIA_TYPE)

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        _only_allowed(request)
        state = request.app.state
        runtime = getattr(state, "runtime_metrics", None)
        if runtime is not None:
            await runtime.refresh()
        return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return router
