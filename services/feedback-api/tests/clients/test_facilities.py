"""The facilities-api client: what it answers, what it remembers and for how long."""

from __future__ import annotations

import httpx
import pytest

from feedback_api.clients.facilities import FacilitiesClient, FacilitiesUnavailable
from service_kit.logs import request_id_var
from service_kit.testing import running_app
from tests.factories import FACILITIES_URL, CountingTransport, rating_body


class FakeTime:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


class TestFacilitiesClient:
    async def test_found_facilities_are_remembered_for_the_ttl(self, standin):
        now = FakeTime()
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=standin.app)) as http:
            client = FacilitiesClient(http, base_url="http://facilities.test/", cache_ttl_s=60, now=now)
            first = await client.get_facility(2)
            assert first is not None and (first.name_zh, first.operator_id, first.mode, first.contract_id) == ("角楼图书馆", 7, "social", 107)
            assert await client.get_facility(2) == first
            assert standin.calls == ["/api/v1/facilities/2"]
            now.t += 61
            await client.get_facility(2)
            assert len(standin.calls) == 2

    async def test_a_missing_record_is_none_and_not_remembered(self, standin):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=standin.app)) as http:
            client = FacilitiesClient(http, base_url="http://facilities.test")
            assert await client.get_facility(9) is None
            assert await client.get_facility(9) is None
            assert await client.get_activity(99) is None
            assert await client.get_services(9) is None
            assert len(standin.calls) == 4

    async def test_activities_and_services(self, standin):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=standin.app)) as http:
            client = FacilitiesClient(http, base_url="http://facilities.test")
            activity = await client.get_activity(11)
            assert activity is not None and activity.facility_id == 2 and activity.status == "published"
            assert activity.starts_at is not None and activity.starts_at.tzinfo is not None
            services = await client.get_services(2)
            assert services is not None and [s.id for s in services] == [21]

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
    async def test_rating_the_same_facility_twice_asks_facilities_api_once(self, app, engine, sessionmaker, standin, auth):
        counting = CountingTransport(httpx.ASGITransport(app=standin.app))
        async with running_app(app, engine, sessionmaker, transports={FACILITIES_URL: counting}) as client:
            assert (await client.post("/api/v1/ratings", json=rating_body(1), headers=auth(sub="a"))).status_code == 201
            assert (await client.post("/api/v1/ratings", json=rating_body(1), headers=auth(sub="b"))).status_code == 201
        assert counting.paths == ["/api/v1/facilities/1"]
