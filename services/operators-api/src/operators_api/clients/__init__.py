"""Typed clients for the services operators-api calls: one module per dependency."""

from __future__ import annotations

import asyncio

from fastapi import Request

from operators_api.clients.facilities import FacilitiesClient
from operators_api.clients.feedback import FeedbackClient


def facilities_client(request: Request, semaphore: asyncio.Semaphore | None = None) -> FacilitiesClient:
    state = request.app.state
    s = state.settings
    return FacilitiesClient(
        http=state.http, base_url=s.facilities_url, settings=s, clock=state.clock, timeout_s=s.dependency_timeout_s, semaphore=semaphore
    )


def feedback_client(request: Request, semaphore: asyncio.Semaphore | None = None) -> FeedbackClient:
    state = request.app.state
    s = state.settings
    return FeedbackClient(
        http=state.http, base_url=s.feedback_url, settings=s, clock=state.clock, timeout_s=s.dependency_timeout_s, semaphore=semaphore
    )
