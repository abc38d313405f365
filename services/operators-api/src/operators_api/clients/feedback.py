"""feedback-api, as operators-api uses it: the satisfaction index and the complaint statistics of a
facility or an operator over a period (decimal strings; `insufficient_data` when too few ratings)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from operators_api.clients.base import Fetched, ServiceClient


def decimal_or_none(value: object) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


class FeedbackClient(ServiceClient):
    source = "feedback-api"

    async def facility_satisfaction(self, facility_id: int, start: date, end: date) -> Fetched:
        return self._checked(
            await self.fetch(
                f"/api/v1/satisfaction/facilities/{facility_id}", {"from": start.isoformat(), "to": end.isoformat()}
            )
        )

    async def operator_satisfaction(self, operator_id: int, start: date, end: date) -> Fetched:
        return self._checked(
            await self.fetch(
                f"/api/v1/satisfaction/operators/{operator_id}", {"from": start.isoformat(), "to": end.isoformat()}
            )
        )

    @staticmethod
    def _checked(fetched: Fetched) -> Fetched:
        if not fetched.ok:
            return fetched
        data = fetched.data or {}
        ratings, cases = data.get("ratings"), data.get("cases")
        if not isinstance(ratings, dict) or not isinstance(cases, dict):
            fetched.error = "the answer lacks ratings or cases"
            fetched.data = None
        return fetched
