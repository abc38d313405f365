"""feedback-api: create_app() wires the domain routers onto the shared service skeleton."""

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response

from feedback_api import models  # noqa: F401  (every table on the metadata)
from feedback_api.background import OverdueSweeper, facilities_consumer
from feedback_api.cases.router import router as cases_router
from feedback_api.clients.facilities import FacilitiesClient
from feedback_api.db import infra
from feedback_api.demand.router import router as demand_router
from feedback_api.events import EVENT_TYPES
from feedback_api.menu.router import router as menu_router
from feedback_api.moderation.router import router as moderation_router
from feedback_api.moderation.service import added_words
from feedback_api.open311.router import clients_router as open311_clients_router
from feedback_api.open311.router import error_response
from feedback_api.open311.router import router as open311_router
from feedback_api.open311.service import Open311Problem
from feedback_api.privacy.consumer import add_gateway_consumer
from feedback_api.privacy.router import router as privacy_router
from feedback_api.ratings.filter import CommentFilter
from feedback_api.ratings.router import router as ratings_router
from feedback_api.satisfaction.router import router as satisfaction_router
from feedback_api.settings import Settings
from feedback_api.workdays.router import router as calendar_router
from service_kit.app import create_service_app
from service_kit.clock import Clock
from service_kit.openapi import problem_openapi

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

TAGS = [
    {
        "name": "ratings",
        "description": "Residents rate facilities, activities and services (评价); operators reply once.",
    },
    {
        "name": "moderation",
        "description": "Officials' queue: comments that tripped the filter, bursts held from the index.",
    },
    {
        "name": "cases",
        "description": "Complaints, suggestions, praise and questions (投诉建议) with deadlines in working days.",
    },
    {
        "name": "open311",
        "description": "Open311 GeoReport v2 at /open311/v2/ over the same cases; client keys.",
    },
    {
        "name": "demand",
        "description": "Order-style requests (订单式) and menu-style rounds (菜单式).",
    },
    {
        "name": "satisfaction",
        "description": "The satisfaction index (满意度指数) per facility, operator, subdistrict and period.",
    },
    {
        "name": "personal data",
        "description": "个人信息: what the service holds on the signed-in resident.",
    },
]


async def _make_clients(app: FastAPI) -> None:
    """Clients of other services, on the shared httpx client the runtime has just made; background work."""
    settings: Settings = app.state.settings
    app.state.facilities = FacilitiesClient(
        app.state.http,
        base_url=settings.facilities_url,
        timeout_s=settings.facilities_timeout_s,
        cache_ttl_s=settings.facilities_cache_ttl_s,
        cache_size=settings.facilities_cache_size,
    )
    app.state.comment_filter = CommentFilter(settings.moderation_words, added_words)
    # Started by the runtime only when run_background_tasks is on.
    app.state.facilities_consumer = facilities_consumer(app)
    app.state.sweeper = OverdueSweeper(app)
    # The facilities client's renewals under way are stopped with the rest.
    app.state.background[:] = [
        app.state.facilities_consumer,
        app.state.sweeper,
        app.state.facilities,
    ]


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The kit's document, with Open311's own error format on /open311/v2/ (not problem+json)."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = problem_openapi(app)
    errors = {"type": "array", "items": {"$ref": "#/components/schemas/Open311Error"}}
    for path, item in schema.get("paths", {}).items():
        if not path.startswith("/open311/"):
            continue
        for operation in item.values():
            for status, response in operation.get("responses", {}).items():
                if status in ("400", "403", "404", "429", "503"):
                    response["content"] = {
                        "application/json": {"schema": errors},
                        "text/xml": {"schema": {"type": "string"}},
                    }
    return schema


def create_app(
    settings: Settings | None = None, *, clock: Clock | None = None
) -> FastAPI:
    settings = settings or Settings()
    app = create_service_app(
        settings=settings,
        title="culture-ops feedback-api",
        description=(
            "What residents say about the district's public cultural facilities (居民反馈): ratings with moderation, "
            "cases (also over Open311 GeoReport v2), demand, and the satisfaction index."
        ),
        version="0.2.0",
        routers=[
            ratings_router,
            moderation_router,
            calendar_router,
            cases_router,
            open311_router,
            open311_clients_router,
            demand_router,
            menu_router,
            satisfaction_router,
            privacy_router,
        ],
        infra=infra,
        event_types=EVENT_TYPES,
        migrations_dir=MIGRATIONS_DIR,
        startup_hooks=[_make_clients, add_gateway_consumer],
        openapi_tags=TAGS,
        form_paths=("/open311/",),
        # The time ratings, cases and votes are stamped with: tests pass a fixed clock.
        clock=clock,
    )

    async def _open311_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Open311Problem)
        return error_response(request, exc)

    app.add_exception_handler(Open311Problem, _open311_error)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app
