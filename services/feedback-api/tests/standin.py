"""A stand-in for facilities-api implementing exactly the contract feedback-api relies on:

- GET /api/v1/facilities/{id} → {id, name_zh, subdistrict, status, operation: {mode, operator_id, contract_id}, ...}
- GET /api/v1/facilities?id=&id=…&limit= → {items: [those facilities it has, in id order], next_cursor}
- GET /api/v1/activities/{id} → {id, facility_id, title, starts_at, ends_at, status, ...}
- GET /api/v1/facilities/{id}/services → [{id, name_zh, basic, fee_fen, ...}]
- GET /api/v1/facilities/{id}/services/{service_id} → {id, facility_id, name_zh, basic, fee_fen, fee_approval: {application_id, approved_fee_fen, expires_on, status} | null}
- GET /api/v1/events?after=&limit= → {items: [CloudEvents envelopes], next_after} (services' token required)

facilities-api is being extended at the same time as this service, so the tests pin the contract here."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import FastAPI, Header, HTTPException, Query, Request


class FacilitiesStandIn:
    def __init__(self) -> None:
        self.facilities: dict[int, dict[str, Any]] = {}
        self.activities: dict[int, dict[str, Any]] = {}
        self.services: dict[int, list[dict[str, Any]]] = {}
        self.events: list[dict[str, Any]] = []
        self.calls: list[str] = []
        self.request_ids: list[str | None] = []  # the X-Request-ID of each call
        self.app = self._make_app()

    # --- data ---------------------------------------------------------------------------------------

    def facility(
        self,
        facility_id: int,
        *,
        operator_id: int | None = None,
        operator_name: str | None = None,
        subdistrict: str = "jingshan",
        name_zh: str = "景山街道图书馆",
    ) -> dict[str, Any]:
        body = {
            "id": facility_id,
            "name_zh": name_zh,
            "kind": "public_library",
            "subdistrict": subdistrict,
            "status": "open",
            "operation": _operation(operator_id, operator_name),
        }
        self.facilities[facility_id] = body
        self.services.setdefault(facility_id, [])
        return body

    def activity(
        self,
        activity_id: int,
        facility_id: int,
        *,
        starts_at: datetime,
        status: str = "published",
        fee_fen: int = 0,
        service_id: int | None = None,
    ) -> dict[str, Any]:
        body = {
            "id": activity_id,
            "facility_id": facility_id,
            "title": "书海听涛读书会",
            "starts_at": starts_at.isoformat(),
            "ends_at": (starts_at + timedelta(hours=2)).isoformat(),
            "status": status,
            "fee_fen": fee_fen,
            "service_id": service_id,
        }
        self.activities[activity_id] = body
        return body

    def service(
        self,
        service_id: int,
        facility_id: int,
        *,
        basic: bool = True,
        fee_fen: int = 0,
        approved_fee_fen: int | None = None,
        name_zh: str = "图书借阅",
    ) -> dict[str, Any]:
        approval = (
            {
                "application_id": 500 + service_id,
                "approved_fee_fen": approved_fee_fen,
                "expires_on": "2027-12-31",
                "status": "active",
            }
            if approved_fee_fen is not None
            else None
        )
        body = {
            "id": service_id,
            "facility_id": facility_id,
            "name_zh": name_zh,
            "basic": basic,
            "fee_fen": fee_fen,
            "fee_approval": approval,
        }
        self.services.setdefault(facility_id, []).append(body)
        return body

    def emit(self, type_: str, data: dict[str, Any]) -> dict[str, Any]:
        event = {
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": "facilities-api",
            "type": type_,
            "subject": None,
            "time": datetime.now(UTC).isoformat(),
            "datacontenttype": "application/json",
            "sequence": len(self.events) + 1,
            "requestid": None,
            "data": data,
        }
        self.events.append(event)
        return event

    def checkin(
        self, *, booking_id: int, activity_id: int, resident_sub: str, at: datetime
    ) -> dict[str, Any]:
        facility_id = self.activities[activity_id]["facility_id"]
        return self.emit(
            "checkin.recorded",
            {
                "booking_id": booking_id,
                "activity_id": activity_id,
                "facility_id": facility_id,
                "resident_sub": resident_sub,
                "checked_in_at": at.isoformat(),
            },
        )

    def cancel_activity(
        self, activity_id: int, reason: str = "场地临时维修"
    ) -> dict[str, Any]:
        """facilities-api cancels a published activity and announces it."""
        activity = self.activities[activity_id]
        activity["status"] = "cancelled"
        return self.emit(
            "activity.cancelled",
            {
                "activity_id": activity_id,
                "facility_id": activity["facility_id"],
                "reason": reason,
                "bookings": {"confirmed": 0, "waitlisted": 0},
            },
        )

    def operator_changed(
        self,
        facility_id: int,
        operator_id: int | None,
        operator_name: str | None = None,
    ) -> dict[str, Any]:
        operation = _operation(operator_id, operator_name)
        if facility_id in self.facilities:
            self.facilities[facility_id]["operation"] = operation
        return self.emit(
            "facility.operator_changed",
            {"facility_id": facility_id, "operation": operation},
        )

    # --- the HTTP side ------------------------------------------------------------------------------

    def _make_app(self) -> FastAPI:
        app = FastAPI()

        @app.middleware("http")
        async def note_request_id(request: Request, call_next: Any) -> Any:
            self.request_ids.append(request.headers.get("x-request-id"))
            return await call_next(request)

        @app.get("/api/v1/facilities")
        async def list_facilities(
            ids: Annotated[list[int], Query(alias="id")], limit: int = 50
        ) -> dict[str, Any]:
            self.calls.append("/api/v1/facilities?" + "&".join(f"id={i}" for i in ids))
            found = [
                self.facilities[i] for i in sorted(set(ids)) if i in self.facilities
            ]
            return {"items": found[:limit], "next_cursor": None}

        @app.get("/api/v1/facilities/{facility_id}")
        async def get_facility(facility_id: int) -> dict[str, Any]:
            self.calls.append(f"/api/v1/facilities/{facility_id}")
            if facility_id not in self.facilities:
                raise HTTPException(404, f"No facility {facility_id}.")
            return self.facilities[facility_id]

        @app.get("/api/v1/facilities/{facility_id}/services")
        async def list_services(facility_id: int) -> list[dict[str, Any]]:
            self.calls.append(f"/api/v1/facilities/{facility_id}/services")
            if facility_id not in self.facilities:
                raise HTTPException(404, f"No facility {facility_id}.")
            return self.services.get(facility_id, [])

        @app.get("/api/v1/facilities/{facility_id}/services/{service_id}")
        async def get_service(facility_id: int, service_id: int) -> dict[str, Any]:
            self.calls.append(f"/api/v1/facilities/{facility_id}/services/{service_id}")
            for s in self.services.get(facility_id, []):
                if s["id"] == service_id:
                    return s
            raise HTTPException(
                404, f"No service {service_id} at facility {facility_id}."
            )

        @app.get("/api/v1/activities/{activity_id}")
        async def get_activity(activity_id: int) -> dict[str, Any]:
            self.calls.append(f"/api/v1/activities/{activity_id}")
            if activity_id not in self.activities:
                raise HTTPException(404, f"No activity {activity_id}.")
            return self.activities[activity_id]

        @app.get("/api/v1/events")
        async def feed(
            after: int = 0, limit: int = 100, authorization: str | None = Header(None)
        ) -> dict[str, Any]:
            if not authorization:
                raise HTTPException(401, "Sign in first.")
            items = [e for e in self.events if e["sequence"] > after][:limit]
            return {
                "items": items,
                "next_after": items[-1]["sequence"] if items else after,
            }

        return app


def _operation(operator_id: int | None, operator_name: str | None) -> dict[str, Any]:
    """A facility's `operation` as facilities-api gives it: a socially operated one names its operator."""
    return {
        "mode": "social" if operator_id else "government",
        "operator_id": operator_id,
        "contract_id": 100 + operator_id if operator_id else None,
        "operator_name": (operator_name or f"承接单位{operator_id}号")
        if operator_id
        else None,
    }
