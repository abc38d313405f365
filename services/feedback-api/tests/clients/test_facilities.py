"""The facilities-api client: what it answers, what it remembers and for how long."""

from __future__ import annotations

import httpx
import pytest

from feedback_api.clients.facilities import (
    FacilitiesClient,
    FacilitiesUnavailable,
    TTLCache,
)
from service_kit.logs import request_id_var
from service_kit.testing import running_app
from tests.factories import FACILITIES_URL, CountingTransport, rating_body


class FakeTime:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def facility_json(facility_id: int) -> dict:
    return {
        "id": facility_id,
        "name_zh": "角楼图书馆",
        "subdistrict": "donghuamen",
        "status": "open",
        "operation": {"mode": "social", "operator_id": 7, "contract_id": 3},
    }


def fake_facilities(known: set[int], calls: list[str]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        facility_id = int(request.url.path.rsplit("/", 1)[1])
        if facility_id in known:
            return httpx.Response(200, json=facility_json(facility_id))
        return httpx.Response(404, json={"title": "Not found", "status": 404})

    return httpx.MockTransport(handle)


class TestTTLCache:
    def test_entries_expire_after_the_ttl(self):
        now = FakeTime()
        cache: TTLCache[int, str] = TTLCache(ttl_s=60, max_entries=10, now=now)
        cache.put(1, "a")
        now.t += 59.9
        assert cache.get(1) == "a"
        now.t += 0.1
        assert cache.get(1) is None
        assert len(cache) == 0

    def test_it_is_bounded_dropping_expired_then_oldest(self):
        now = FakeTime()
        cache: TTLCache[int, str] = TTLCache(ttl_s=60, max_entries=3, now=now)
        cache.put(1, "old")
        now.t += 61
        cache.put(2, "b")
        cache.put(3, "c")
        cache.put(4, "d")  # full: the expired 1 goes
        assert [cache.get(k) for k in (2, 3, 4)] == ["b", "c", "d"]
        cache.put(5, "e")  # full, nothing expired: the oldest (2) goes
        assert cache.get(2) is None and cache.get(5) == "e"
        assert len(cache) == 3


class TestFacilitiesClient:
    async def test_found_facilities_are_remembered_for_the_ttl(self):
        calls: list[str] = []
        now = FakeTime()
        async with httpx.AsyncClient(transport=fake_facilities({42}, calls)) as http:
            client = FacilitiesClient(http, base_url="http://facilities.test/", cache_ttl_s=60, now=now)
            first = await client.get_facility(42)
            assert first is not None and (first.name_zh, first.operator_id) == ("角楼图书馆", 7)
            assert await client.get_facility(42) == first
            assert calls == ["/api/v1/facilities/42"]
            now.t += 60
            await client.get_facility(42)
            assert len(calls) == 2

    async def test_a_missing_facility_is_none_and_not_remembered(self):
        calls: list[str] = []
        async with httpx.AsyncClient(transport=fake_facilities(set(), calls)) as http:
            client = FacilitiesClient(http, base_url="http://facilities.test")
            assert await client.get_facility(9) is None
            assert await client.get_facility(9) is None
            assert len(calls) == 2

    @pytest.mark.parametrize(
        "answer",
        [
            httpx.Response(503, text="upstream down"),
            httpx.Response(200, text="<html>not json</html>"),
            httpx.Response(200, json={"unexpected": True}),
            httpx.Response(200, json=[1, 2]),
        ],
        ids=["503", "not-json", "wrong-shape", "not-an-object"],
    )
    async def test_an_answer_it_cannot_use_means_unavailable(self, answer):
        async with httpx.AsyncClient(transport=httpx.MockTransport(lambda request: answer)) as http:
            client = FacilitiesClient(http, base_url="http://facilities.test")
            with pytest.raises(FacilitiesUnavailable):
                await client.get_facility(1)

    async def test_the_request_id_travels_along(self):
        seen: list[str | None] = []

        def handle(request: httpx.Request) -> httpx.Response:
            seen.append(request.headers.get("x-request-id"))
            return httpx.Response(404)

        async with httpx.AsyncClient(transport=httpx.MockTransport(handle)) as http:
            token = request_id_var.set("rid-123")
            try:
                await FacilitiesClient(http, base_url="http://facilities.test").get_facility(1)
            finally:
                request_id_var.reset(token)
        assert seen == ["rid-123"]


class TestThroughTheApp:
    async def test_rating_the_same_facility_twice_asks_facilities_api_once(
        self, app, engine, sessionmaker, facilities_app, facility, auth
    ):
        counting = CountingTransport(httpx.ASGITransport(app=facilities_app))
        async with running_app(app, engine, sessionmaker, transports={FACILITIES_URL: counting}) as client:
            assert (await client.post("/api/v1/ratings", json=rating_body(facility["id"]), headers=auth(sub="a"))).status_code == 201
            assert (await client.post("/api/v1/ratings", json=rating_body(facility["id"]), headers=auth(sub="b"))).status_code == 201
        assert counting.paths == [f"/api/v1/facilities/{facility['id']}"]
