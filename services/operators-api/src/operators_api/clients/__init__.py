"""Typed clients for the services operators-api calls: one module per dependency."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import Request

from operators_api.clients.facilities import FacilitiesClient
from operators_api.clients.feedback import FeedbackClient


def facilities_client(request: Request, semaphore: asyncio.Semaphore | None = None) -> FacilitiesClient:
    state = request.app.state
    s = state.settings
    return FacilitiesClient(
        http=state.http,
        base_url=s.facilities_url,
        settings=s,
        clock=state.clock,
        timeout_s=s.dependency_timeout_s,
        semaphore=semaphore,
    )


def feedback_client(request: Request, semaphore: asyncio.Semaphore | None = None) -> FeedbackClient:
    state = request.app.state
    s = state.settings
    return FeedbackClient(
        http=state.http,
        base_url=s.feedback_url,
        settings=s,
        clock=state.clock,
        timeout_s=s.dependency_timeout_s,
        semaphore=semaphore,
    )


# How many facilities-api lookups one request may have in flight when it checks the facilities it names.
FACILITY_CHECKS_IN_FLIGHT = 8


def unknown_facilities(request: Request) -> Callable[[list[int]], Awaitable[list[int]]]:
    """Which of some facility ids facilities-api has no facility for (operators_api.facility_refs)."""
    return facilities_client(request, asyncio.Semaphore(FACILITY_CHECKS_IN_FLIGHT)).unknown


def facility_subdistricts(request: Request) -> Callable[[list[int]], Awaitable[dict[int, str]]]:
    """Where facilities lie (operators_api.facility_refs.require_within_subdistrict)."""
    return facilities_client(request, asyncio.Semaphore(FACILITY_CHECKS_IN_FLIGHT)).subdistricts
