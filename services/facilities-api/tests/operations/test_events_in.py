"""Events from operators-api: contracts that start or end change who runs a facility; fee approvals
allow a non-basic service's fee and their revocation takes it back to 0. Applied by the handlers
directly, and by a FeedConsumer reading a stand-in operators-api feed served in process."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from facilities_api.db import infra
from facilities_api.main import create_app
from facilities_api.operations.consumer import SOURCE, handlers, start_consumers
from service_kit.events.consumer import FeedConsumer
from tests.factories import local

STARTED = {
    "contract_id": 3,
    "operator_id": 7,
    "operator_name": "美后肆时",
    "starts_on": "2026-01-01",
    "ends_on": "2028-12-31",
}


def envelope(seq: int, type_: str, data: dict[str, Any], time: str = "2026-11-20T02:00:00+00:00") -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": f"op-{seq}",
        "source": SOURCE,
        "type": type_,
        "subject": None,
        "time": time,
        "datacontenttype": "application/json",
        "sequence": seq,
        "requestid": None,
        "data": data,
    }


def fake_operators_api(events: list[dict[str, Any]]) -> FastAPI:
    """Serves GET /api/v1/events?after=&limit= over a fixed list, like every service's feed."""
    app = FastAPI()
    app.state.reads = 0

    @app.get("/api/v1/events")
    async def feed(after: int = 0, limit: int = 100) -> dict[str, Any]:
        app.state.reads += 1
        items = [e for e in events if e["sequence"] > after][:limit]
        return {"items": items, "next_after": items[-1]["sequence"] if items else after}

    return app


def consumer(app: FastAPI, sessionmaker, clock) -> FeedConsumer:
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://operators.test")
    return FeedConsumer(
        name=SOURCE,
        base_url="http://operators.test",
        http=http,
        sessionmaker=sessionmaker,
        infra=infra,
        handlers=handlers(lambda: clock),
        token=lambda: "service-token",
    )


async def _apply(sessionmaker, clock, type_: str, data: dict[str, Any], seq: int = 1) -> None:
    async with sessionmaker() as session:
        await handlers(lambda: clock)[type_](session, envelope(seq, type_, data))
        await session.commit()


class TestContractStarted:
    async def test_facilities_become_socially_operated_with_history_and_an_event(
        self, world, client, sessionmaker, clock
    ):
        a, b = await world.facility(), await world.facility(name_zh="景山二馆")
        await _apply(sessionmaker, clock, "contract.started", {**STARTED, "facility_ids": [a["id"], b["id"], 999999]})
        for f in (a, b):
            body = (await client.get(f"/api/v1/facilities/{f['id']}")).json()
            assert body["operation"] == {
                "mode": "social",
                "operator_id": 7,
                "contract_id": 3,
                "operator_name": "美后肆时",
            }
            assert body["version"] == 2
            history = (await client.get(f"/api/v1/facilities/{f['id']}/history")).json()
            assert (history[-1]["actor"], history[-1]["action"]) == ("operators-api", "operation_changed")
        events = await world.events("facility.operator_changed")
        assert [e["data"]["facility_id"] for e in events] == [a["id"], b["id"]]
        assert events[0]["data"]["operation"]["mode"] == "social"
        assert events[0]["data"]["previous"]["mode"] == "government"

    async def test_applying_it_twice_changes_nothing_more(self, world, client, sessionmaker, clock):
        f = await world.facility()
        for _ in range(2):
            await _apply(sessionmaker, clock, "contract.started", {**STARTED, "facility_ids": [f["id"]]})
        assert (await client.get(f"/api/v1/facilities/{f['id']}")).json()["version"] == 2
        assert len(await world.events("facility.operator_changed")) == 1

    async def test_the_operator_may_then_publish_activities_there(self, world, client, sessionmaker, clock):
        f = await world.facility()
        await _apply(sessionmaker, clock, "contract.started", {**STARTED, "facility_ids": [f["id"]]})
        await world.activity(f["id"], world.operator(7))


class TestContractEnded:
    async def test_facilities_on_that_contract_go_back_to_government(self, world, client, sessionmaker, clock):
        kept, ended = await world.facility(), await world.facility(name_zh="景山二馆")
        await _apply(sessionmaker, clock, "contract.started", {**STARTED, "facility_ids": [ended["id"]]})
        await _apply(
            sessionmaker, clock, "contract.started", {**STARTED, "contract_id": 4, "facility_ids": [kept["id"]]}, seq=2
        )
        data = {"contract_id": 3, "operator_id": 7, "facility_ids": [ended["id"], kept["id"]], "reason": "期满"}
        await _apply(sessionmaker, clock, "contract.ended", data, seq=3)
        await _apply(sessionmaker, clock, "contract.ended", data, seq=4)
        assert (await client.get(f"/api/v1/facilities/{ended['id']}")).json()["operation"] == {
            "mode": "government",
            "operator_id": None,
            "contract_id": None,
            "operator_name": None,
        }
        assert (await client.get(f"/api/v1/facilities/{kept['id']}")).json()["operation"]["contract_id"] == 4
        events = [e["data"] for e in await world.events("facility.operator_changed")]
        assert [(e["facility_id"], e["operation"]["mode"]) for e in events] == [
            (ended["id"], "social"),
            (kept["id"], "social"),
            (ended["id"], "government"),
        ]
        assert "期满" in events[-1]["reason"]
        resp = await client.post(
            "/api/v1/activities",
            json={
                "facility_id": ended["id"],
                "title": "x",
                "category": "reading",
                "starts_at": local(21, 14).isoformat(),
                "ends_at": local(21, 15).isoformat(),
                "capacity": 5,
            },
            headers=world.operator(7),
        )
        assert resp.status_code == 403


class TestFees:
    async def _service(self, world, client):
        f = await world.facility()
        s = (
            await client.post(
                f"/api/v1/facilities/{f['id']}/services",
                json={"name_zh": "陶艺体验课", "category": "training", "basic": False},
                headers=world.official,
            )
        ).json()
        return f, s

    async def test_approved_then_revoked_takes_the_fee_and_upcoming_activity_fees_back_to_zero(
        self, world, client, sessionmaker, clock
    ):
        f, s = await self._service(world, client)
        approved = {
            "application_id": 21,
            "operator_id": 7,
            "contract_id": 3,
            "facility_id": f["id"],
            "service_id": s["id"],
            "approved_fee_fen": 2000,
            "expires_on": "2027-06-30",
        }
        await _apply(sessionmaker, clock, "fee.approved", approved)
        url = f"/api/v1/facilities/{f['id']}/services/{s['id']}"
        assert (
            await client.patch(url, json={"fee_fen": 1800}, headers={**world.official, "If-Match": '"v1"'})
        ).status_code == 200
        activity = await world.activity(f["id"], service_id=s["id"], fee_fen=1800)
        await _apply(
            sessionmaker,
            clock,
            "fee.revoked",
            {"application_id": 21, "facility_id": f["id"], "service_id": s["id"]},
            seq=2,
        )
        await _apply(
            sessionmaker,
            clock,
            "fee.revoked",
            {"application_id": 21, "facility_id": f["id"], "service_id": s["id"]},
            seq=3,
        )
        service = (await client.get(url)).json()
        assert (service["fee_fen"], service["fee_approval"]) == (0, None)
        assert (await client.get(f"/api/v1/activities/{activity['id']}")).json()["fee_fen"] == 0
        [changed] = await world.events("service.fee_changed")
        assert changed["data"] == {
            "application_id": 21,
            "facility_id": f["id"],
            "service_id": s["id"],
            "old_fee_fen": 1800,
            "new_fee_fen": 0,
            "reason": "fee.revoked",
            "activity_ids": [activity["id"]],
        }
        assert [e["data"]["approved_fee_fen"] for e in await world.events("service.fee_approved")] == [2000]
        refused = await client.patch(
            url, json={"fee_fen": 100}, headers={**world.official, "If-Match": f'"v{service["version"]}"'}
        )
        assert refused.status_code == 422

    async def test_expired_works_the_same(self, world, client, sessionmaker, clock):
        f, s = await self._service(world, client)
        await _apply(
            sessionmaker,
            clock,
            "fee.approved",
            {
                "application_id": 22,
                "operator_id": 7,
                "contract_id": 3,
                "facility_id": f["id"],
                "service_id": s["id"],
                "approved_fee_fen": 500,
                "expires_on": "2027-01-31",
            },
        )
        url = f"/api/v1/facilities/{f['id']}/services/{s['id']}"
        await client.patch(url, json={"fee_fen": 500}, headers={**world.official, "If-Match": '"v1"'})
        await _apply(
            sessionmaker,
            clock,
            "fee.expired",
            {"application_id": 22, "facility_id": f["id"], "service_id": s["id"]},
            seq=2,
        )
        assert (await client.get(url)).json()["fee_fen"] == 0


class TestThroughTheFeed:
    async def test_a_consumer_reads_the_feed_applies_each_event_once_and_keeps_its_cursor(
        self, world, client, sessionmaker, clock
    ):
        f = await world.facility()
        feed = [
            envelope(1, "operator.registered", {"id": 7}),
            envelope(2, "contract.started", {**STARTED, "facility_ids": [f["id"]]}),
            envelope(
                3,
                "contract.ended",
                {"contract_id": 3, "operator_id": 7, "facility_ids": [f["id"]], "reason": "提前终止"},
            ),
        ]
        app = fake_operators_api(feed)
        reader = consumer(app, sessionmaker, clock)
        assert await reader.poll_once() == 3
        assert await reader.poll_once() == 0
        body = (await client.get(f"/api/v1/facilities/{f['id']}")).json()
        assert body["operation"]["mode"] == "government" and body["version"] == 3
        # A second consumer (a restart) starts from the stored cursor: nothing is applied twice.
        again = consumer(app, sessionmaker, clock)
        assert await again.poll_once() == 0
        assert len(await world.events("facility.operator_changed")) == 2
        history = (await client.get(f"/api/v1/facilities/{f['id']}/history")).json()
        assert [h["action"] for h in history] == ["created", "operation_changed", "operation_changed"]

    async def test_the_startup_hook_registers_the_consumer_only_with_background_tasks(self, settings):
        quiet = create_app(settings)
        await start_consumers(quiet)
        assert quiet.state.background == []
        busy = create_app(
            settings.model_copy(update={"run_background_tasks": True, "operators_url": "http://operators.test"})
        )
        busy.state.http = httpx.AsyncClient()
        busy.state.sessionmaker = None
        await start_consumers(busy)
        [reader] = busy.state.background
        assert (reader.name, reader.base_url) == ("operators-api", "http://operators.test")
        await busy.state.http.aclose()
