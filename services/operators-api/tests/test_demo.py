"""The demo seed: six valid operators under the codes facilities-api's demo data uses; idempotent."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from operators_api.demo.seed import load_demo
from operators_api.operators.models import Operator
from service_kit.clock import Clock

# The operator_key values in facilities-api's demo facilities.json.
FACILITY_OPERATOR_KEYS = {
    "meihou-sishi-culture",
    "shuhai-reading",
    "hutong-heritage-society",
    "qingnian-arts-studio",
    "jingcheng-culture-services",
    "dongcheng-volunteer-union",
}


async def test_seed_is_idempotent_and_uses_the_facility_keys(sessionmaker, client, auth, clock):
    clock.fixed = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    assert await load_demo(sessionmaker, clock=clock) == 6
    assert await load_demo(sessionmaker, clock=clock) == 0
    async with sessionmaker() as session:
        assert (await session.execute(select(func.count(Operator.id)))).scalar_one() == 6
    items = (await client.get("/api/v1/operators", headers=auth("official"))).json()["items"]
    assert {o["code"] for o in items} == FACILITY_OPERATOR_KEYS
    assert all(o["uscc"][2:8] == "110101" for o in items)
    by_code = {o["code"]: o for o in items}
    assert [c for c, o in by_code.items() if o["status"] != "qualified"] == ["qingnian-arts-studio"]
    assert by_code["qingnian-arts-studio"]["status"] == "suspended"
    expired = [(o["code"], q["name"]) for o in items for q in o["qualifications"] if q["expired"]]
    assert expired == [("qingnian-arts-studio", "营业性演出许可证")]
    history = (await client.get(f"/api/v1/operators/{by_code['qingnian-arts-studio']['id']}/history", headers=auth("auditor"))).json()
    assert [h["action"] for h in history] == ["registered", "status_changed", "status_changed"]
    assert all(h["actor"] == "demo-seed" for h in history)


async def test_seed_announces_the_operators(sessionmaker, client, auth):
    await load_demo(sessionmaker, clock=Clock(fixed=datetime(2026, 11, 22, tzinfo=UTC)))
    events = (await client.get("/api/v1/events", params={"limit": 1000}, headers=auth("official"))).json()["items"]
    assert sum(e["type"] == "operator.registered" for e in events) == 6
