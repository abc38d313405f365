"""The facilities-api client: what it answers, what it remembers and for how long."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from feedback_api.clients.facilities import (
    FACILITIES_PER_REQUEST,
    RENEWALS_AT_ONCE,
    FacilitiesClient,
    FacilitiesUnavailable,
)
from service_kit.logs import request_id_var
from service_kit.outgoing import pass_request_id
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
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=standin.app)
        ) as http:
            client = FacilitiesClient(
                http, base_url="http://facilities.test/", cache_ttl_s=60, now=now
            )
            first = await client.get_facility(2)
            assert first is not None and (
                first.name_zh,
                first.operator_id,
                first.mode,
                first.contract_id,
            ) == ("角楼图书馆", 7, "social", 107)
            assert await client.get_facility(2) == first
            assert standin.calls == ["/api/v1/facilities/2"]
            now.t += 61
            await client.get_facility(2)
            assert len(standin.calls) == 2

    async def test_a_record_in_use_is_renewed_before_it_expires(self, standin):
        now = FakeTime()
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=standin.app)
        ) as http:
            client = FacilitiesClient(
                http, base_url="http://facilities.test", cache_ttl_s=60, now=now
            )
            await client.get_facility(2)
            now.t += 30  # half its life: answered from memory, nothing fetched
            await client.get_facility(2)
            await client.settled()
            assert len(standin.calls) == 1
            standin.facilities[2]["name_zh"] = "角楼图书馆（新馆）"
            now.t += 20  # its last quarter: answered from memory at once, fetched again in the background
            assert (await client.get_facility(2)).name_zh == "角楼图书馆"
            await client.settled()
            assert len(standin.calls) == 2
            now.t += 30  # past the first fetch's 60 s, within the renewal's
            assert (await client.get_facility(2)).name_zh == "角楼图书馆（新馆）"
            assert len(standin.calls) == 2

    async def test_a_record_renewed_and_gone_is_no_longer_accepted(self, standin):
        now = FakeTime()
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=standin.app)
        ) as http:
            client = FacilitiesClient(
                http, base_url="http://facilities.test", cache_ttl_s=60, now=now
            )
            assert await client.get_facility(2) is not None
            del standin.facilities[2]
            now.t += 50
            assert (
                await client.get_facility(2) is not None
            )  # the renewal has not answered yet
            await client.settled()
            assert await client.get_facility(2) is None
            assert len(standin.calls) == 3

    async def test_a_failed_renewal_leaves_the_record_until_it_expires(self, standin):
        now = FakeTime()
        down = False

        def handle(request: httpx.Request) -> httpx.Response:
            if down:
                return httpx.Response(503, text="upstream down")
            return httpx.Response(200, json=standin.facilities[2])

        async with httpx.AsyncClient(transport=httpx.MockTransport(handle)) as http:
            client = FacilitiesClient(
                http, base_url="http://facilities.test", cache_ttl_s=60, now=now
            )
            found = await client.get_facility(2)
            down = True
            now.t += 50
            assert await client.get_facility(2) == found
            await client.settled()
            assert await client.get_facility(2) == found  # still within its 60 s
            await client.settled()
            now.t += 11
            with pytest.raises(FacilitiesUnavailable):
                await client.get_facility(2)

    async def test_requests_for_a_record_being_fetched_wait_for_that_fetch(self):
        calls: list[str] = []
        release = asyncio.Event()

        async def slow(request: httpx.Request) -> httpx.Response:
            calls.append(request.url.path)
            await release.wait()
            return httpx.Response(
                200,
                json={
                    "id": 5,
                    "name_zh": "史家胡同博物馆",
                    "subdistrict": "chaoyangmen",
                    "operation": None,
                },
            )

        async with httpx.AsyncClient(transport=httpx.MockTransport(slow)) as http:
            client = FacilitiesClient(http, base_url="http://facilities.test")
            asking = [asyncio.create_task(client.get_facility(5)) for _ in range(5)]
            await asyncio.sleep(0.05)
            asking[
                0
            ].cancel()  # one caller goes away: the others still get their answer
            release.set()
            answers = await asyncio.gather(*asking[1:])
            assert calls == ["/api/v1/facilities/5"]
            assert {a.name_zh for a in answers} == {"史家胡同博物馆"}
            assert asking[0].cancelled()

    async def test_facilities_falling_due_together_are_renewed_together(self):
        now = FakeTime()
        lists: list[list[int]] = []
        gone: set[int] = set()
        name = "馆"

        async def handle(request: httpx.Request) -> httpx.Response:
            if request.url.path != "/api/v1/facilities":  # one facility, by its URL
                facility_id = int(request.url.path.rsplit("/", 1)[1])
                lists.append([facility_id])
                if facility_id in gone:
                    return httpx.Response(
                        404, json={"title": "Not found", "status": 404}
                    )
                return httpx.Response(
                    200,
                    json={
                        "id": facility_id,
                        "name_zh": f"{name}{facility_id}",
                        "subdistrict": "jingshan",
                    },
                )
            ids = [int(i) for i in request.url.params.get_list("id")]
            assert int(request.url.params["limit"]) == len(ids)
            lists.append(ids)
            await asyncio.sleep(0.01)
            items = [
                {
                    "id": i,
                    "name_zh": f"{name}{i}",
                    "subdistrict": "jingshan",
                    "operation": None,
                }
                for i in sorted(ids)
                if i not in gone
            ]
            return httpx.Response(200, json={"items": items, "next_cursor": None})

        async with httpx.AsyncClient(transport=httpx.MockTransport(handle)) as http:
            client = FacilitiesClient(
                http, base_url="http://facilities.test", cache_ttl_s=60, now=now
            )
            await asyncio.gather(
                *(client.get_facility(i) for i in range(1, 251))
            )  # fetched in the same moment
            lists.clear()
            name = "新馆"
            gone.add(7)  # removed from the registry
            now.t += 50
            answers = await asyncio.gather(
                *(client.get_facility(i) for i in range(1, 251))
            )
            assert {a.name_zh for a in answers} == {
                f"馆{i}" for i in range(1, 251)
            }  # answered from memory at once
            await asyncio.gather(
                *(client.get_facility(i) for i in range(1, 251))
            )  # still due: not asked again
            await client.settled()
            assert [len(ids) for ids in lists] == [
                FACILITIES_PER_REQUEST,
                FACILITIES_PER_REQUEST,
                50,
            ]
            assert sorted(i for ids in lists for i in ids) == list(range(1, 251))
            now.t += 20  # past the first fetches' 60 s, within the renewal's
            assert (await client.get_facility(3)).name_zh == "新馆3"
            assert (
                await client.get_facility(7) is None
            )  # left out of the list: forgotten, asked again, and gone
            assert lists[-1] == [7]

    async def test_facilities_missing_at_the_same_moment_are_asked_for_together(
        self, standin
    ):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=standin.app)
        ) as http:
            client = FacilitiesClient(http, base_url="http://facilities.test")
            answers = await asyncio.gather(
                *(client.get_facility(i) for i in (3, 1, 9, 2, 3))
            )
            assert [a and a.name_zh for a in answers] == [
                "史家胡同博物馆",
                "东城区第一图书馆",
                None,
                "角楼图书馆",
                "史家胡同博物馆",
            ]
            assert standin.calls == [
                "/api/v1/facilities?id=3&id=1&id=9&id=2"
            ]  # one request; 9 is not in the registry
            await asyncio.gather(*(client.get_facility(i) for i in (1, 2, 3, 9)))
            assert standin.calls[1:] == [
                "/api/v1/facilities/9"
            ]  # the others remembered, the missing one not

    async def test_a_failed_request_for_several_fails_each_one_asking(self, standin):
        def handle(request: httpx.Request) -> httpx.Response:
            return httpx.Response(503, text="upstream down")

        async with httpx.AsyncClient(transport=httpx.MockTransport(handle)) as http:
            client = FacilitiesClient(http, base_url="http://facilities.test")
            answers = await asyncio.gather(
                *(client.get_facility(i) for i in (1, 2, 3)), return_exceptions=True
            )
            assert [type(a) for a in answers] == [FacilitiesUnavailable] * 3

    async def test_a_facility_wanted_during_a_request_goes_in_the_next(self):
        asked: list[list[str]] = []
        release = asyncio.Event()

        async def handle(request: httpx.Request) -> httpx.Response:
            ids = request.url.params.get_list("id") or [
                request.url.path.rsplit("/", 1)[1]
            ]
            asked.append(ids)
            await release.wait()
            items = [
                {
                    "id": int(i),
                    "name_zh": f"馆{i}",
                    "subdistrict": "jingshan",
                    "operation": None,
                }
                for i in ids
            ]
            return httpx.Response(
                200, json={"items": items} if len(ids) > 1 else items[0]
            )

        async with httpx.AsyncClient(transport=httpx.MockTransport(handle)) as http:
            client = FacilitiesClient(http, base_url="http://facilities.test")
            first = asyncio.create_task(client.get_facility(1))
            await asyncio.sleep(0.01)
            later = [asyncio.create_task(client.get_facility(i)) for i in (2, 3)]
            await asyncio.sleep(0.01)
            assert asked == [["1"]]  # one request at a time
            release.set()
            assert [a.name_zh for a in await asyncio.gather(first, *later)] == [
                "馆1",
                "馆2",
                "馆3",
            ]
            assert asked == [["1"], ["2", "3"]]

    async def test_a_list_that_is_not_the_one_asked_for_changes_nothing(self, standin):
        now = FakeTime()

        def handle(request: httpx.Request) -> httpx.Response:
            if (
                request.url.path == "/api/v1/facilities"
            ):  # a facilities-api that ignores the id filter
                return httpx.Response(
                    200,
                    json={
                        "items": list(standin.facilities.values()),
                        "next_cursor": None,
                    },
                )
            return httpx.Response(
                200, json=standin.facilities[int(request.url.path.rsplit("/", 1)[1])]
            )

        async with httpx.AsyncClient(transport=httpx.MockTransport(handle)) as http:
            client = FacilitiesClient(
                http, base_url="http://facilities.test", cache_ttl_s=60, now=now
            )
            found = [await client.get_facility(2), await client.get_facility(3)]
            standin.facilities[2]["name_zh"] = "别的馆"
            now.t += 50
            await asyncio.gather(
                client.get_facility(2), client.get_facility(3)
            )  # renewed together, by the list
            await client.settled()
            assert [
                await client.get_facility(2),
                await client.get_facility(3),
            ] == found  # kept as they were, until they expire
            await client.settled()
            now.t += 11
            assert (await client.get_facility(2)).name_zh == "别的馆"

    async def test_activities_falling_due_together_are_renewed_a_few_at_a_time(self):
        now = FakeTime()
        at_once = most = 0

        async def handle(request: httpx.Request) -> httpx.Response:
            nonlocal at_once, most
            at_once += 1
            most = max(most, at_once)
            await asyncio.sleep(0.01)
            at_once -= 1
            activity_id = int(request.url.path.rsplit("/", 1)[1])
            return httpx.Response(
                200,
                json={
                    "id": activity_id,
                    "facility_id": 2,
                    "title": "读书会",
                    "status": "published",
                },
            )

        async with httpx.AsyncClient(transport=httpx.MockTransport(handle)) as http:
            client = FacilitiesClient(
                http, base_url="http://facilities.test", cache_ttl_s=60, now=now
            )
            await asyncio.gather(
                *(client.get_activity(i) for i in range(1, 41))
            )  # fetched in the same moment
            assert most == 40
            most = 0
            now.t += 50
            await asyncio.gather(*(client.get_activity(i) for i in range(1, 41)))
            await client.settled()
            assert 1 <= most <= RENEWALS_AT_ONCE < 40  # not all forty at once

    async def test_stopping_cancels_a_renewal_under_way(self, standin):
        now = FakeTime()
        started = asyncio.Event()

        async def hanging(request: httpx.Request) -> httpx.Response:
            if started.is_set():
                await asyncio.sleep(3600)
            started.set()
            return httpx.Response(200, json=standin.facilities[2])

        async with httpx.AsyncClient(transport=httpx.MockTransport(hanging)) as http:
            client = FacilitiesClient(
                http,
                base_url="http://facilities.test",
                cache_ttl_s=60,
                timeout_s=3600,
                now=now,
            )
            await client.get_facility(2)
            now.t += 50
            await client.get_facility(2)
            await asyncio.sleep(0.01)
            await asyncio.wait_for(client.stop(), timeout=5)
            await asyncio.wait_for(client.settled(), timeout=5)

    async def test_a_missing_record_is_none_and_not_remembered(self, standin):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=standin.app)
        ) as http:
            client = FacilitiesClient(http, base_url="http://facilities.test")
            assert await client.get_facility(9) is None
            assert await client.get_facility(9) is None
            assert await client.get_activity(99) is None
            assert await client.get_services(9) is None
            assert len(standin.calls) == 4

    async def test_activities_and_services(self, standin):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=standin.app)
        ) as http:
            client = FacilitiesClient(http, base_url="http://facilities.test")
            activity = await client.get_activity(11)
            assert (
                activity is not None
                and activity.facility_id == 2
                and activity.status == "published"
            )
            assert (
                activity.starts_at is not None and activity.starts_at.tzinfo is not None
            )
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
        async with httpx.AsyncClient(
            transport=httpx.MockTransport(lambda request: answer)
        ) as http:
            client = FacilitiesClient(http, base_url="http://facilities.test")
            with pytest.raises(FacilitiesUnavailable):
                await client.get_facility(1)

    async def test_the_request_id_travels_along(self):
        """On the app's shared client, which passes the request id on (service_kit.outgoing)."""
        seen: list[str | None] = []

        def handle(request: httpx.Request) -> httpx.Response:
            seen.append(request.headers.get("x-request-id"))
            return httpx.Response(404)

        async with pass_request_id(
            httpx.AsyncClient(transport=httpx.MockTransport(handle))
        ) as http:
            token = request_id_var.set("rid-123")
            try:
                await FacilitiesClient(
                    http, base_url="http://facilities.test"
                ).get_facility(1)
            finally:
                request_id_var.reset(token)
        assert seen == ["rid-123"]


class TestThroughTheApp:
    async def test_rating_the_same_facility_twice_asks_facilities_api_once(
        self, app, engine, sessionmaker, standin, auth
    ):
        counting = CountingTransport(httpx.ASGITransport(app=standin.app))
        async with running_app(
            app, engine, sessionmaker, transports={FACILITIES_URL: counting}
        ) as client:
            assert (
                await client.post(
                    "/api/v1/ratings", json=rating_body(1), headers=auth(sub="a")
                )
            ).status_code == 201
            assert (
                await client.post(
                    "/api/v1/ratings", json=rating_body(1), headers=auth(sub="b")
                )
            ).status_code == 201
        assert counting.paths == ["/api/v1/facilities/1"]
