"""A contract crosses services: operators-api announces it in its feed, facilities-api reads the feed
and the facility shows its new operator — and goes back to government-run when the contract ends.
Real processes over HTTP, through the gateway."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta
from pathlib import Path

import httpx

from e2e.test_vertical_slice import sign_in

DEMO_OPERATORS = (
    Path(__file__).resolve().parents[2] / "services/operators-api/src/operators_api/demo/data/operators.json"
)


def wait_for_operation(client: httpx.Client, facility_id: int, mode: str, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        facility = client.get(f"/api/v1/facilities/{facility_id}").json()
        if facility["operation"]["mode"] == mode:
            return facility
        time.sleep(0.5)
    raise AssertionError(f"facility {facility_id} did not become {mode} within {timeout} s: {facility['operation']}")


def test_a_contract_makes_the_facility_socially_operated_and_its_end_reverts_it(platform):
    operator_data = json.loads(DEMO_OPERATORS.read_text(encoding="utf-8"))[-1]
    operator_data = {k: v for k, v in operator_data.items() if k != "status_path"}
    with httpx.Client(base_url=platform.url, timeout=15) as client:
        official = sign_in(client, "demo-official")
        operator = client.post("/api/v1/operators", json=operator_data, headers=official)
        assert operator.status_code == 201, operator.text
        operator_id = operator.json()["id"]
        qualified = client.post(
            f"/api/v1/operators/{operator_id}/status",
            json={"status": "qualified", "reason": "资质审核通过"},
            headers=official,
        )
        assert qualified.status_code == 200, qualified.text
        facility_id = 7
        assert client.get(f"/api/v1/facilities/{facility_id}").json()["operation"]["mode"] == "government"

        today = date.today()
        contract = client.post(
            "/api/v1/contracts",
            json={
                "title": "社区文化室社会化运营（单一来源）",
                "operator_id": operator_id,
                "facility_ids": [facility_id],
                "procurement_method": "single_source",
                "justification": "唯一具备该社区青少年艺术教育资质的社会组织",
                "starts_on": today.isoformat(),
                "ends_on": (today + timedelta(days=364)).isoformat(),
                "amount_fen": 36_000_000,
                "instalments": [{"due_on": (today + timedelta(days=30)).isoformat(), "amount_fen": 36_000_000}],
            },
            headers=official,
        )
        assert contract.status_code == 201, contract.text
        contract_id = contract.json()["id"]
        active = client.post(
            f"/api/v1/contracts/{contract_id}/status", json={"status": "active", "reason": "签约生效"}, headers=official
        )
        assert active.status_code == 200, active.text

        facility = wait_for_operation(client, facility_id, "social")
        assert facility["operation"]["operator_id"] == operator_id
        assert facility["operation"]["contract_id"] == contract_id
        history = client.get(f"/api/v1/facilities/{facility_id}/history").json()
        assert history[-1]["actor"] == "operators-api"

        ended = client.post(
            f"/api/v1/contracts/{contract_id}/status",
            json={"status": "terminated", "reason": "考核不合格，依约终止"},
            headers=official,
        )
        assert ended.status_code == 200, ended.text
        facility = wait_for_operation(client, facility_id, "government")
        assert facility["operation"]["operator_id"] is None
