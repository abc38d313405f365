"""facilities-api, as operators-api uses it: a facility, the services it offers, and the operation
figures it recorded itself (activities held, participants, bookings, open hours, special-group services)."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal
from typing import Any

from operators_api.clients.base import DependencyError, Fetched, ServiceClient

STATS_FIELDS = (
    "activities_held",
    "participants",
    "bookings",
    "no_shows",
    "scheduled_open_hours",
    "special_group_services_done",
)


# Facilities of these levels serve the whole district: the district's, whatever subdistrict they stand in.
DISTRICT_LEVELS = frozenset({"national", "municipal", "district"})
DISTRICT_OWNED = "the district"


class FacilitiesClient(ServiceClient):
    source = "facilities-api"

    async def facility(self, facility_id: int) -> dict[str, Any] | None:
        """The facility, or None when facilities-api says there is none (404)."""
        status, body = await self.get_json(f"/api/v1/facilities/{facility_id}")
        if status == 404:
            return None
        if status != 200 or not isinstance(body, dict):
            raise DependencyError(self.source, f"answered {status} for facility {facility_id}", status)
        return body

    async def unknown(self, facility_ids: list[int]) -> list[int]:
        """Those of the ids facilities-api has no facility for, in order (raises DependencyError when it
        cannot say); the lookups run together, bounded by the client's semaphore."""
        ids = sorted(set(facility_ids))
        found = await asyncio.gather(*(self.facility(fid) for fid in ids))
        return [fid for fid, facility in zip(ids, found, strict=True) if facility is None]

    async def subdistricts(self, facility_ids: list[int]) -> dict[int, str]:
        """The area each facility facilities-api knows belongs to (unknown ones are left out): its
        subdistrict, or `DISTRICT_OWNED` for a facility of district level or above, which serves the whole
        district and only district officials act on (as facilities-api rules). Raises DependencyError when
        it cannot say."""
        ids = sorted(set(facility_ids))
        found = await asyncio.gather(*(self.facility(fid) for fid in ids))
        return {
            fid: DISTRICT_OWNED if f.get("level") in DISTRICT_LEVELS else str(f["subdistrict"])
            for fid, f in zip(ids, found, strict=True)
            if f is not None and f.get("subdistrict")
        }

    async def service(self, facility_id: int, service_id: int) -> dict[str, Any] | None:
        """One service the facility offers (with `basic` and its `basic_periods`), or None when
        facilities-api has no such facility or service (404)."""
        status, body = await self.get_json(f"/api/v1/facilities/{facility_id}/services/{service_id}")
        if status == 404:
            return None
        if status != 200 or not isinstance(body, dict):
            raise DependencyError(
                self.source, f"answered {status} for service {service_id} of facility {facility_id}", status
            )
        return body

    async def services(self, facility_id: int) -> list[dict[str, Any]] | None:
        """The services the facility offers, or None when there is no such facility."""
        status, body = await self.get_json(f"/api/v1/facilities/{facility_id}/services")
        if status == 404:
            return None
        if status != 200:
            raise DependencyError(self.source, f"answered {status} for the services of facility {facility_id}", status)
        items = body.get("items") if isinstance(body, dict) else body
        if not isinstance(items, list):
            raise DependencyError(self.source, "answered a services list of an unknown shape", status)
        return items

    async def open_hours(self, facility_id: int, start: date, end: date) -> Fetched:
        """The hours the platform recorded the facility open over [start, end] (local days): its opening
        hours and their exceptions, as evidence. `hours` and `weekly_average_hours` are decimal strings."""
        fetched = await self.fetch(
            f"/api/v1/facilities/{facility_id}/open-hours", {"from": start.isoformat(), "to": end.isoformat()}
        )
        if fetched.ok:
            assert fetched.data is not None
            try:
                for key in ("hours", "weekly_average_hours"):
                    if Decimal(str(fetched.data[key])) < 0:
                        raise ValueError(key)
            except (KeyError, ValueError, ArithmeticError):
                fetched.error = "the answer lacks hours or weekly_average_hours as decimal strings"
                fetched.data = None
        return fetched

    async def operation_stats(self, facility_id: int, start: date, end: date) -> Fetched:
        """What the platform recorded at the facility over [start, end] (local days), as evidence."""
        fetched = await self.fetch(
            "/api/v1/stats/operations", {"facility_id": facility_id, "from": start.isoformat(), "to": end.isoformat()}
        )
        if fetched.ok:
            assert fetched.data is not None
            absent = [f for f in STATS_FIELDS if not isinstance(fetched.data.get(f), int | float)]
            if absent:
                fetched.error = f"the answer lacks {', '.join(absent)}"
                fetched.data = None
        return fetched
