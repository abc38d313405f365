"""facilities-api: create_app() wires the domain routers onto the shared service skeleton."""

from pathlib import Path

from fastapi import FastAPI

from facilities_api import models  # noqa: F401  (every table on the metadata)
from facilities_api.activities.router import calendar_router
from facilities_api.activities.router import router as activities_router
from facilities_api.areas.router import router as areas_router
from facilities_api.bookings.router import router as bookings_router
from facilities_api.coverage.router import router as coverage_router
from facilities_api.db import infra
from facilities_api.events import EVENT_TYPES
from facilities_api.facilities.router import geojson_router
from facilities_api.facilities.router import router as facilities_router
from facilities_api.offerings.router import proposals_router, queue_router
from facilities_api.offerings.router import router as offerings_router
from facilities_api.operations.consumer import start_consumers
from facilities_api.privacy.consumer import start_gateway_consumer
from facilities_api.privacy.router import router as privacy_router
from facilities_api.settings import Settings
from facilities_api.special_requests.router import router as special_requests_router
from facilities_api.special_requests.sweeper import install_sweeper
from facilities_api.stats.router import open_hours_router
from facilities_api.stats.router import router as stats_router
from service_kit.app import create_service_app

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

OPENAPI_TAGS = [
    {"name": "areas", "description": "Subdistricts (街道) and communities (社区), with population."},
    {"name": "facilities", "description": "The registry: the five-level network, main-branch systems, hours, `near`."},
    {
        "name": "services offered",
        "description": "服务项目: basic ones are free; non-basic ones charge only an approved fee.",
    },
    {"name": "activities", "description": "活动: published by the facility's operator or officials; iCalendar feed."},
    {"name": "bookings", "description": "Seats, waitlist, cancellation, check-in at the door."},
    {
        "name": "special-group requests",
        "description": "预约服务和上门服务 for elderly, minor, disabled, low-income residents.",
    },
    {"name": "coverage", "description": "有没有 / 够不够: supply per subdistrict and community."},
    {"name": "stats", "description": "Figures operators-api pulls as evaluation evidence."},
    {"name": "personal data", "description": "个人信息: what the service holds on the signed-in resident."},
]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    return create_service_app(
        settings=settings,
        title="culture-ops facilities-api",
        description=(
            "The registry of the district's public cultural facilities (公共文化设施): the five-level network, "
            "main-branch systems, services offered, activities and bookings."
        ),
        version="0.2.0",
        routers=[
            areas_router,
            geojson_router,
            facilities_router,
            open_hours_router,
            offerings_router,
            proposals_router,
            queue_router,
            calendar_router,
            activities_router,
            bookings_router,
            special_requests_router,
            coverage_router,
            stats_router,
            privacy_router,
        ],
        infra=infra,
        event_types=EVENT_TYPES,
        migrations_dir=MIGRATIONS_DIR,
        startup_hooks=[start_consumers, start_gateway_consumer, install_sweeper],
        openapi_tags=OPENAPI_TAGS,
    )
