"""Where the platform's own figures from other services come from, for evaluations and the cross-check of
service reports. The default asks facilities-api and feedback-api over HTTP (bounded by a semaphore
shared across a batch); the demo seed passes its own provider so that it never calls another service."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Protocol

from fastapi import Request

from operators_api.clients import facilities_client, feedback_client
from operators_api.clients.base import Fetched


class InputsProvider(Protocol):
    async def facility_stats(self, facility_id: int, start: date, end: date) -> Fetched: ...

    async def facility_satisfaction(self, facility_id: int, start: date, end: date) -> Fetched: ...

    async def facility_open_hours(self, facility_id: int, start: date, end: date) -> Fetched: ...


class HttpInputs:
    def __init__(self, request: Request, semaphore: asyncio.Semaphore) -> None:
        self.facilities = facilities_client(request, semaphore)
        self.feedback = feedback_client(request, semaphore)

    async def facility_stats(self, facility_id: int, start: date, end: date) -> Fetched:
        return await self.facilities.operation_stats(facility_id, start, end)

    async def facility_satisfaction(self, facility_id: int, start: date, end: date) -> Fetched:
        return await self.feedback.facility_satisfaction(facility_id, start, end)

    async def facility_open_hours(self, facility_id: int, start: date, end: date) -> Fetched:
        return await self.facilities.open_hours(facility_id, start, end)


def http_inputs(request: Request) -> HttpInputs:
    return HttpInputs(request, asyncio.Semaphore(request.app.state.settings.evaluation_concurrency))
