"""feedback-api: create_app() wires the domain routers onto the shared service skeleton."""

from pathlib import Path

from fastapi import FastAPI

from feedback_api import models  # noqa: F401  (every table on the metadata)
from feedback_api.clients.facilities import FacilitiesClient
from feedback_api.db import infra
from feedback_api.events import EVENT_TYPES
from feedback_api.ratings.router import router as ratings_router
from feedback_api.settings import Settings
from service_kit.app import create_service_app
from service_kit.clock import Clock

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


async def _make_clients(app: FastAPI) -> None:
    """Clients of other services, on the shared httpx client the runtime has just made."""
    settings: Settings = app.state.settings
    app.state.facilities = FacilitiesClient(
        app.state.http,
        base_url=settings.facilities_url,
        timeout_s=settings.facilities_timeout_s,
        cache_ttl_s=settings.facilities_cache_ttl_s,
        cache_size=settings.facilities_cache_size,
    )


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or Settings()
    app = create_service_app(
        settings=settings,
        title="culture-ops feedback-api",
        description=(
            "What residents say about the district's public cultural facilities (居民反馈): ratings of "
            "facilities, one live rating per resident, target and quarter, with public summaries."
        ),
        version="0.1.0",
        routers=[ratings_router],
        infra=infra,
        event_types=EVENT_TYPES,
        migrations_dir=MIGRATIONS_DIR,
        startup_hooks=[_make_clients],
        openapi_tags=[{"name": "ratings", "description": "Residents rate facilities (评价)."}],
    )
    # The time ratings are stamped with (and so their quarter): tests pass a fixed clock.
    app.state.clock = clock or Clock()
    return app
