"""operators-api: create_app() wires the domain routers onto the shared service skeleton."""

from pathlib import Path

from fastapi import FastAPI

from operators_api import models  # noqa: F401  (every table on the metadata)
from operators_api.db import infra
from operators_api.events import EVENT_TYPES
from operators_api.operators.router import router as operators_router
from operators_api.settings import Settings
from service_kit.app import create_service_app
from service_kit.clock import Clock

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or Settings()
    app = create_service_app(
        settings=settings,
        title="culture-ops operators-api",
        description=(
            "The operators (承接主体) contracted to run the district's public cultural facilities: "
            "their registration, unified social credit code, contacts, qualifications and status."
        ),
        version="0.1.0",
        routers=[operators_router],
        infra=infra,
        event_types=EVENT_TYPES,
        migrations_dir=MIGRATIONS_DIR,
        openapi_tags=[{"name": "operators", "description": "承接主体: the organisations that run facilities."}],
    )
    app.state.clock = clock or Clock()
    return app
