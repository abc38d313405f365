"""Stand-in for facilities-api in the gateway bench: a light, realistic GET.

``GET /api/v1/facilities/{facility_id}`` validates the id, looks a record up in a dict and
returns it through a pydantic response model, behind two middlewares a real service has
(request id, gzip). ``run.py --upstream-cmd`` replaces this with the real service.

    python bench/gateway/upstream_app.py --port 8101
"""

from __future__ import annotations

import argparse
import uuid
from datetime import datetime, timedelta, timezone

from fastapi import FastAPI, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.middleware.gzip import GZipMiddleware

SHANGHAI = timezone(timedelta(hours=8))


class FacilityRead(BaseModel):
    id: int
    name: str
    kind: str
    subdistrict: str
    address: str
    lon: float
    lat: float
    operator_id: int | None
    open: bool
    updated_at: datetime


KINDS = ("文化站", "综合文化服务中心", "图书馆分馆", "文化活动室")
FACILITIES: dict[int, dict] = {
    i: {
        "id": i,
        "name": f"第{i}社区{KINDS[i % 4]} 🎭",
        "kind": KINDS[i % 4],
        "subdistrict": f"街道{i % 12 + 1}",
        "address": f"上海市某区文化路{i}号",
        "lon": 121.4 + i / 1000,
        "lat": 31.2 + i / 1000,
        "operator_id": i % 7 or None,
        "open": i % 5 != 0,
        "updated_at": datetime(2026, 11, 1, 9, 30, tzinfo=SHANGHAI),
    }
    for i in range(1, 201)
}


class RequestIdMiddleware:
    """Pure ASGI: take or make X-Request-ID and echo it on the response."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        rid = next((v for k, v in scope["headers"] if k == b"x-request-id"), None) or uuid.uuid4().hex.encode()
        scope.setdefault("state", {})["request_id"] = rid.decode()

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid)]
            await send(message)

        await self.app(scope, receive, send_with_id)


def create_app() -> FastAPI:
    app = FastAPI(title="bench facilities stand-in")
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    app.add_middleware(RequestIdMiddleware)

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/api/v1/facilities/{facility_id}", response_model=FacilityRead)
    async def get_facility(facility_id: int) -> dict:
        record = FACILITIES.get(facility_id)
        if record is None:
            raise HTTPException(404, "facility not found")
        return record

    @app.exception_handler(HTTPException)
    async def problem(request, exc: HTTPException) -> JSONResponse:
        return JSONResponse(
            {"type": "about:blank", "title": "Not Found", "status": exc.status_code, "detail": exc.detail},
            status_code=exc.status_code,
            media_type="application/problem+json",
        )

    return app


app = create_app()

if __name__ == "__main__":
    import uvicorn

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
    )
