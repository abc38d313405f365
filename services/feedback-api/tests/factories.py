"""Test data builders: request bodies, helpers that make a record through the API, and stand-ins for a
facilities-api that is down."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

# Where feedback-api finds facilities-api in the tests: routed to the in-process stand-in.
FACILITIES_URL = "http://facilities.test"


def rating_body(target_id: int = 1, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "target_type": "facility",
        "target_id": target_id,
        "overall": 4,
        "dimensions": {"environment": 5, "content": 4, "staff": 4, "convenience": 3},
        "comment": "阅览区很安静，工作人员很热情",
    }
    body.update(overrides)
    return body


async def rate(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    target_id: int = 1,
    *,
    status: int = 201,
    **overrides: Any,
) -> dict[str, Any]:
    resp = await client.post(
        "/api/v1/ratings", json=rating_body(target_id, **overrides), headers=headers
    )
    assert resp.status_code == status, resp.text
    return resp.json()


def case_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": "opening_hours",
        "target_type": "facility",
        "target_id": 2,
        "title": "周六闭馆",
        "description": "周六下午按开放时间前往，但大门紧闭，也没有任何通知😞 联系我：13812345678",
        "contact": {"name": "王小明", "phone": "13812345678"},
    }
    body.update(overrides)
    return body


async def file_case(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    *,
    status: int = 201,
    **overrides: Any,
) -> dict[str, Any]:
    resp = await client.post(
        "/api/v1/cases", json=case_body(**overrides), headers=headers
    )
    assert resp.status_code == status, resp.text
    return resp.json()


async def step(
    client: httpx.AsyncClient,
    case: dict[str, Any],
    action: str,
    headers: dict[str, str],
    *,
    status: int = 200,
    **body: Any,
) -> dict[str, Any]:
    fresh = await client.get(f"/api/v1/cases/{case['id']}", headers=headers)
    etag = fresh.headers.get("etag", f'"v{case["version"]}"')
    resp = await client.post(
        f"/api/v1/cases/{case['id']}/{action}",
        json=body or None,
        headers={**headers, "If-Match": etag},
    )
    assert resp.status_code == status, resp.text
    return resp.json()


class RefusingTransport(httpx.AsyncBaseTransport):
    """A facilities-api that is down: every connection is refused."""

    def __init__(self) -> None:
        self.calls = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        raise httpx.ConnectError("connection refused", request=request)


class HangingTransport(httpx.AsyncBaseTransport):
    """A facilities-api that accepts the call and never answers."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


class CountingTransport(httpx.AsyncBaseTransport):
    """Passes calls on to another transport and counts them."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        return await self.inner.handle_async_request(request)


def look_too_early(monkeypatch, when) -> None:
    """Make the use case's look for the live rating in a slot find nothing when `when(slot)` says so (slot:
    resident, target type, target id, period), as if another request had saved the rating after the look."""
    import dataclasses

    from feedback_api.ratings.repository import RatingRepository

    real = RatingRepository.facts

    async def facts(self, **asked):
        found = await real(self, **asked)
        slot = (
            asked["resident_sub"],
            asked["target_type"],
            asked["target_id"],
            asked["period"],
        )
        return dataclasses.replace(found, live=None) if when(slot) else found

    monkeypatch.setattr(RatingRepository, "facts", facts)
