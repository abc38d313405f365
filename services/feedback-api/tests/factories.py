"""Test data builders: facilities in the real facilities-api (areas straight into its database, the
facility through its API), rating bodies, and stand-ins for a facilities-api that is down."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from facilities_api.areas.models import Community, Subdistrict

# Where feedback-api finds facilities-api in the tests: routed to the in-process app.
FACILITIES_URL = "http://facilities.test"


class FacilitiesFactory:
    def __init__(self, client: httpx.AsyncClient, sessionmaker, official_headers: dict[str, str]) -> None:
        self.client = client
        self.sessionmaker = sessionmaker
        self.headers = official_headers

    async def district(self) -> None:
        """One subdistrict with one community: all a facility needs."""
        async with self.sessionmaker() as session:
            sub = Subdistrict(
                code="jingshan", name_zh="景山街道", name_en="Jingshan", population=30000, centroid_lat=39.927, centroid_lon=116.4
            )
            session.add(sub)
            await session.flush()
            session.add(
                Community(
                    code="jingshan-1",
                    subdistrict_id=sub.id,
                    name_zh="景山一社区",
                    name_en="Jingshan Community 1",
                    population=15000,
                    centroid_lat=39.928,
                    centroid_lon=116.4,
                )
            )
            await session.commit()

    async def facility(self, **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name_zh": "景山街道图书馆",
            "kind": "public_library",
            "level": "subdistrict",
            "subdistrict": "jingshan",
            "community": "jingshan-1",
            "address_zh": "东城区景山前街1号",
            "location": {"lat": 39.927, "lon": 116.401},
            "status": "open",
            **overrides,
        }
        resp = await self.client.post("/api/v1/facilities", json=body, headers=self.headers)
        assert resp.status_code == 201, resp.text
        return resp.json()


def rating_body(target_id: int, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "target_type": "facility",
        "target_id": target_id,
        "overall": 4,
        "dimensions": {"environment": 5, "content": 4, "staff": 4, "convenience": 3},
        "comment": "阅览区很安静，工作人员很热情",
    }
    body.update(overrides)
    return body


async def rate(client: httpx.AsyncClient, headers: dict[str, str], target_id: int, *, status: int = 201, **overrides: Any) -> dict[str, Any]:
    resp = await client.post("/api/v1/ratings", json=rating_body(target_id, **overrides), headers=headers)
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
