"""facilities-api: create_app() wires the domain routers onto the shared service skeleton."""

from pathlib import Path

from fastapi import FastAPI

from facilities_api import models  # noqa: F401  (every table on the metadata)
from facilities_api.areas.router import router as areas_router
from facilities_api.db import infra
from facilities_api.events import EVENT_TYPES
from facilities_api.facilities.router import router as facilities_router
from facilities_api.settings import Settings
from service_kit.app import create_service_app

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    return create_service_app(
        settings=settings,
        title="culture-ops facilities-api",
        description=(
            "The registry of the district's public cultural facilities (公共文化设施): the five-level network, "
            "main-branch systems, services offered, activities and bookings."
        ),
        version="0.1.0",
        routers=[areas_router, facilities_router],
        infra=infra,
        event_types=EVENT_TYPES,
        migrations_dir=MIGRATIONS_DIR,
    )
