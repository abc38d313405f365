"""Liveness, readiness (database answers and migrations are at head) and Prometheus metrics."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import literal, select

from service_kit.migrations import current_revisions
from service_kit.problems import PROBLEM_MEDIA_TYPE

ExtraReadiness = Callable[[Any], Awaitable[dict[str, Any]]]


def make_health_router(extra: ExtraReadiness | None = None) -> APIRouter:
    """`extra(app)` adds facts to a ready answer (the gateway lists its services there)."""
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="The process is alive")
    async def healthz(request: Request) -> dict[str, str]:
        return {"status": "ok", "service": request.app.state.settings.service_name}

    @router.get("/readyz", summary="Ready: the database answers and its migrations are at head")
    async def readyz(request: Request) -> Response:
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
        return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return router
