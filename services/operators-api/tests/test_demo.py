"""The demo seed: eight valid operators (six under the codes facilities-api's demo data uses) and the
whole loop on them; idempotent; no call to another service; consistent with facilities-api's demo."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from operators_api.demo.seed import load_demo
from operators_api.operators.models import Operator

# The operator_key values in facilities-api's demo facilities.json.
FACILITY_OPERATOR_KEYS = {
    "meihou-sishi-culture",
    "shuhai-reading",
    "hutong-heritage-society",
    "qingnian-arts-studio",
    "jingcheng-culture-services",
    "dongcheng-volunteer-union",
}
SEED_NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def facilities_demo() -> list[dict]:
    for parent in Path(__file__).resolve().parents:
        path = parent / "services" / "facilities-api" / "src" / "facilities_api" / "demo" / "data" / "facilities.json"
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    raise AssertionError("facilities-api's demo data is not in this repository")


async def events(client, headers: dict) -> list[dict]:
    return (await client.get("/api/v1/events", params={"limit": 1000}, headers=headers)).json()["items"]


async def all_items(client, url: str, headers: dict, **params) -> list[dict]:
    items, cursor = [], None
    while True:
        page = (
            await client.get(
                url, params={**params, "limit": 500, **({"cursor": cursor} if cursor else {})}, headers=headers
            )
        ).json()
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


class TestDemoSeed:
    async def test_seed_is_idempotent_and_uses_the_facility_keys(self, sessionmaker, client, auth, clock):
        clock.fixed = SEED_NOW
        first = await load_demo(sessionmaker, clock=clock)
        assert first["operators"] == 8 and first["selections"] == 2 and first["contracts"] == 7
        assert set((await load_demo(sessionmaker, clock=clock)).values()) == {0}
        async with sessionmaker() as session:
            assert (await session.execute(select(func.count(Operator.id)))).scalar_one() == 8
        items = (await client.get("/api/v1/operators", headers=auth("official"))).json()["items"]
        assert {o["code"] for o in items} >= FACILITY_OPERATOR_KEYS
        assert all(o["uscc"][2:8] == "110101" for o in items)
        by_code = {o["code"]: o for o in items}
        # The demo operator account acts for operator 1: on a fresh database 美后肆时 is registered first.
        assert by_code["meihou-sishi-culture"]["id"] == min(o["id"] for o in items)
        assert [c for c, o in by_code.items() if o["status"] != "qualified"] == ["qingnian-arts-studio"]
        expired = [(o["code"], q["name"]) for o in items for q in o["qualifications"] if q["expired"]]
        assert expired == [("qingnian-arts-studio", "营业性演出许可证")]
        history = (
            await client.get(
                f"/api/v1/operators/{by_code['qingnian-arts-studio']['id']}/history", headers=auth("auditor")
            )
        ).json()
        assert [h["action"] for h in history] == ["registered", "status_changed", "status_changed"]
        assert all(h["actor"] == "demo-seed" for h in history)

    async def test_the_whole_loop_is_there_for_every_socially_operated_facility(
        self, sessionmaker, client, auth, clock, facilities, feedback
    ):
        clock.fixed = SEED_NOW
        await load_demo(sessionmaker, clock=clock)
        official = auth("official")
        # Every socially operated facility of facilities-api's demo runs under a contract of its operator,
        # announced by contract.started, and the seed called no other service to get there.
        social = {
            i: f["operator_key"] for i, f in enumerate(facilities_demo(), start=1) if f.get("operation") == "social"
        }
        operators = {
            o["id"]: o["code"] for o in (await client.get("/api/v1/operators", headers=official)).json()["items"]
        }
        contracts = await all_items(client, "/api/v1/contracts", official)
        held = {
            fid: operators[c["operator_id"]]
            for c in contracts
            if c["status"] in ("active", "suspended")
            for fid in c["facility_ids"]
        }
        assert held == social
        feed = await events(client, official)
        assert sum(e["type"] == "operator.registered" for e in feed) == 8
        started = sorted(fid for e in feed if e["type"] == "contract.started" for fid in e["data"]["facility_ids"])
        assert started == sorted(social)
        assert facilities.calls == [] and feedback.calls == []
        # select
        selections = await all_items(client, "/api/v1/selections", official)
        assert [s["status"] for s in selections] == ["awarded", "awarded"]
        # manage
        evaluations = await all_items(client, "/api/v1/evaluations", official)
        assert {e["grade"] for e in evaluations} == {"excellent", "good", "pass", "fail"}
        assert all(e["status"] == "published" and not e["reweighted"] for e in evaluations)
        open_rects = await all_items(client, "/api/v1/rectifications", official, status="open")
        meihou = next(i for i, code in operators.items() if code == "meihou-sishi-culture")
        assert len(open_rects) == 1 and open_rects[0]["operator_id"] == meihou
        fees = await all_items(client, "/api/v1/fee-applications", official)
        assert sorted(f["status"] for f in fees) == ["approved", "approved", "rejected", "submitted"]
        reports = await all_items(client, "/api/v1/service-reports", official)
        assert len({r["month"] for r in reports}) >= 12 and any(r["flagged"] for r in reports)
        proposed = [c for c in contracts if c["termination_proposal"]]
        assert len(proposed) == 1 and proposed[0]["status"] == "suspended"
        # cultivate
        assert len((await client.get("/api/v1/trainings")).json()["items"]) == 2
        assert len((await client.get("/api/v1/volunteer-teams")).json()["items"]) == 3
        assert len((await client.get("/api/v1/volunteers", params={"min_level": 1})).json()["items"]) == 1
