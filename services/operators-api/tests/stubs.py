"""Small in-process stand-ins for facilities-api and feedback-api, answering the exact contract
shapes operators-api relies on (see README: calls to other services). A test sets the figures it
needs; a SwitchableTransport can take a service down (connection refused) or make it answer 503."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI, Query
from fastapi.responses import JSONResponse


def _problem(status: int, detail: str) -> JSONResponse:
    return JSONResponse(
        {"type": "/problems/not-found", "title": "Not found", "status": status, "detail": detail},
        status_code=status,
        media_type="application/problem+json",
    )


@dataclass
class Gauge:
    """Counts calls in flight across the stand-ins, each held for `delay_s` (to see the bound on concurrency)."""

    delay_s: float = 0.0
    in_flight: int = 0
    max_in_flight: int = 0

    async def hold(self) -> None:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay_s)
        finally:
            self.in_flight -= 1


@dataclass
class FacilitiesStub:
    """facilities-api: facilities 1..max_id exist (in `jingshan` unless `subdistricts` says otherwise);
    services, their basic history, open hours and operation stats as set (or defaults)."""

    max_id: int = 500
    services: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    subdistricts: dict[int, str] = field(default_factory=dict)
    # Levels other than "community" (the default), e.g. {5: "district"} for a district library.
    levels: dict[int, str] = field(default_factory=dict)
    # (facility id, service id) → [{"from": iso, "until": iso | None}]: when the service was basic.
    basic_periods: dict[tuple[int, int], list[dict[str, Any]]] = field(default_factory=dict)
    # facility id → the hours the platform recorded it open over any window asked (decimal string).
    open_hours: dict[int, str] = field(default_factory=dict)
    stats: dict[int, dict[str, Any]] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    gauge: Gauge = field(default_factory=Gauge)

    def default_stats(self, facility_id: int, start: str, end: str) -> dict[str, Any]:
        return {
            "facility_id": facility_id,
            "from": start,
            "to": end,
            "activities_held": 30,
            "participants": 900,
            "bookings": 950,
            "no_shows": 50,
            "scheduled_open_hours": 600,
            "special_group_services_done": 60,
        }

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/api/v1/facilities/{facility_id}")
        async def facility(facility_id: int):
            self.calls.append(f"facility:{facility_id}")
            if not 1 <= facility_id <= self.max_id:
                return _problem(404, f"No facility {facility_id}.")
            return {
                "id": facility_id,
                "name_zh": f"设施{facility_id}",
                "subdistrict": self.subdistricts.get(facility_id, "jingshan"),
                "level": self.levels.get(facility_id, "community"),
                "operation": {"mode": "government", "operator_id": None, "contract_id": None},
            }

        @app.get("/api/v1/facilities/{facility_id}/services")
        async def services(facility_id: int):
            self.calls.append(f"services:{facility_id}")
            if not 1 <= facility_id <= self.max_id:
                return _problem(404, f"No facility {facility_id}.")
            return self.services.get(
                facility_id,
                [
                    {"id": 1, "name_zh": "图书借阅", "category": "lending", "basic": True, "fee_fen": 0},
                    {"id": 2, "name_zh": "少儿书法培训", "category": "training", "basic": False, "fee_fen": 0},
                    {"id": 3, "name_zh": "数字阅读", "category": "digital", "basic": False, "fee_fen": 0},
                ],
            )

        @app.get("/api/v1/facilities/{facility_id}/services/{service_id}")
        async def service(facility_id: int, service_id: int):
            self.calls.append(f"service:{facility_id}:{service_id}")
            listed = await services(facility_id)
            if not isinstance(listed, list):
                return listed
            found = next((sv for sv in listed if sv["id"] == service_id), None)
            if found is None:
                return _problem(404, f"Facility {facility_id} offers no service {service_id}.")
            return {
                "facility_id": facility_id,
                **found,
                "basic_periods": self.basic_periods.get((facility_id, service_id), []),
            }

        @app.get("/api/v1/facilities/{facility_id}/open-hours")
        async def open_hours(facility_id: int, start: str = Query(alias="from"), end: str = Query(alias="to")):
            self.calls.append(f"open-hours:{facility_id}:{start}:{end}")
            if not 1 <= facility_id <= self.max_id:
                return _problem(404, f"No facility {facility_id}.")
            from datetime import date
            from decimal import Decimal

            days = (date.fromisoformat(end) - date.fromisoformat(start)).days + 1
            hours = Decimal(self.open_hours.get(facility_id, "600"))
            return {
                "facility_id": facility_id,
                "from": start,
                "to": end,
                "hours": str(hours),
                "days_open": min(days, 78),
                "weekly_average_hours": str((hours / days * 7).quantize(Decimal("0.01"))),
            }

        @app.get("/api/v1/stats/operations")
        async def operations(
            facility_id: int | None = None,
            operator_id: int | None = None,
            start: str = Query(alias="from"),
            end: str = Query(alias="to"),
        ):
            self.calls.append(f"stats:{facility_id}:{start}:{end}")
            await self.gauge.hold()
            assert facility_id is not None
            return {
                **self.default_stats(facility_id, start, end),
                **self.stats.get(facility_id, {}),
                "facility_id": facility_id,
                "from": start,
                "to": end,
            }

        return app


@dataclass
class FeedbackStub:
    """feedback-api: the satisfaction index and case statistics of each facility (defaults: a good one)."""

    satisfaction: dict[int, dict[str, Any]] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    gauge: Gauge = field(default_factory=Gauge)

    @staticmethod
    def index(
        *,
        count: int = 120,
        smoothed_mean: str | None = "4.60",
        insufficient: bool = False,
        complaints: int = 4,
        on_time: int = 4,
    ) -> dict[str, Any]:
        return {
            "ratings": {
                "count": count,
                "mean": smoothed_mean,
                "smoothed_mean": None if insufficient else smoothed_mean,
                "share_satisfied": "0.90",
                "wilson_low": "0.84",
                "wilson_high": "0.94",
                "insufficient_data": insufficient,
            },
            "cases": {
                "complaints": complaints,
                "responded_on_time": on_time,
                "on_time_rate": f"{on_time / complaints:.2f}" if complaints else None,
                "answer_satisfaction_mean": "4.30",
            },
        }

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/api/v1/satisfaction/facilities/{facility_id}")
        async def facility(facility_id: int, start: str = Query(alias="from"), end: str = Query(alias="to")):
            self.calls.append(f"facility:{facility_id}:{start}:{end}")
            await self.gauge.hold()
            return {"from": start, "to": end, **self.satisfaction.get(facility_id, self.index())}

        @app.get("/api/v1/satisfaction/operators/{operator_id}")
        async def operator(operator_id: int, start: str = Query(alias="from"), end: str = Query(alias="to")):
            self.calls.append(f"operator:{operator_id}")
            return {"from": start, "to": end, **self.index()}

        return app


class SwitchableTransport(httpx.AsyncBaseTransport):
    """Routes to an in-process app, or fails the way a dead dependency does."""

    def __init__(self, app: FastAPI) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.down = False
        self.status: int | None = None
        self.request_ids: list[str | None] = []  # the X-Request-ID of each call

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.request_ids.append(request.headers.get("x-request-id"))
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        if self.status is not None:
            return httpx.Response(
                self.status, json={"title": "Service unavailable", "status": self.status}, request=request
            )
        return await self.inner.handle_async_request(request)
