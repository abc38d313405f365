"""OpenAPI documents shaped like the services' own (their `paths` only), for the routing tests."""

from __future__ import annotations

from typing import Any


def document(*paths: str) -> dict[str, Any]:
    return {"openapi": "3.1.0", "paths": {path: {"get": {}} for path in ("/healthz", "/readyz", *paths)}}


def api(*resources: str) -> list[str]:
    return [f"/api/v1/{name}" for name in resources] + [f"/api/v1/{name}/{{id}}" for name in resources]


INFRASTRUCTURE = ["/api/v1/events", "/api/v1/webhooks/subscriptions", "/api/v1/personal-data"]

DOCUMENTS: dict[str, dict[str, Any]] = {
    "facilities": document(
        *api("facilities", "subdistricts", "communities", "activities", "bookings", "coverage", "stats"),
        *api("special-requests", "service-proposals"),
        "/api/v1/facilities.geojson",
        "/api/v1/activities.ics",
        *INFRASTRUCTURE,
    ),
    "operators": document(
        *api("operators", "selections", "contracts", "ocds", "audit-log", "evaluation-schemes", "evaluations"),
        *api("fee-applications", "incubations", "inspections", "rectifications", "service-reports", "trainings"),
        *api("volunteer-teams", "volunteers"),
        *INFRASTRUCTURE,
    ),
    "feedback": document(
        *api("ratings", "cases", "demands", "satisfaction", "menu-rounds", "moderation", "open311-clients"),
        "/open311/v2/services.{fmt}",
        "/open311/v2/requests/{request_id}.{fmt}",
        *INFRASTRUCTURE,
    ),
}
