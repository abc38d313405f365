"""Steps several platform tests share, each through the gateway."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta
from pathlib import Path

import httpx

DEMO_OPERATORS = (
    Path(__file__).resolve().parents[2] / "services/operators-api/src/operators_api/demo/data/operators.json"
)


def qualified_operator(client: httpx.Client, official: dict[str, str], index: int) -> int:
    """Register one of the demo operators' records and qualify it; its id."""
    data = {
        k: v for k, v in json.loads(DEMO_OPERATORS.read_text(encoding="utf-8"))[index].items() if k != "status_path"
    }
    created = client.post("/api/v1/operators", json=data, headers=official)
    assert created.status_code == 201, created.text
    operator_id = created.json()["id"]
    qualified = client.post(
        f"/api/v1/operators/{operator_id}/status",
        json={"status": "qualified", "reason": "资质审核通过"},
        headers=official,
    )
    assert qualified.status_code == 200, qualified.text
    return operator_id


def active_contract(client: httpx.Client, official: dict[str, str], operator_id: int, facility_id: int) -> int:
    today = date.today()
    contract = client.post(
        "/api/v1/contracts",
        json={
            "title": "社会化运营（单一来源）",
            "operator_id": operator_id,
            "facility_ids": [facility_id],
            "procurement_method": "single_source",
            "justification": "唯一具备资质的社会组织",
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
    return contract_id


def wait_for(predicate, what: str, timeout: float = 90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"{what}: not within {timeout} s")


def bearer(client: httpx.Client, username: str, password: str = "demo-password") -> dict[str, str]:
    resp = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}
