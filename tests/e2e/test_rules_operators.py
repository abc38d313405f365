"""Rules of operators-api held against the people they bind, through the gateway, with the real
services: the subdistrict official reaching for another subdistrict's facility and the district's
administration, the early activation that would hand a facility over before its start date, an
operator's API key doing more than its scopes, a resident probing an official's route."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from e2e.flows import DEMO_OPERATORS, bearer

DISTRICT_TZ = ZoneInfo("Asia/Shanghai")
JINGSHAN_FACILITY = 78  # 钟鼓社区文化室, government-run in facilities-api's demo (no other platform test contracts it)
OTHER_FACILITY = 8  # 北京老舍纪念馆, not in jingshan


def operator_for_rules(client: httpx.Client, official: dict[str, str]) -> int:
    """A qualified operator (one of the demo records; found again if another test registered it)."""
    data = {k: v for k, v in json.loads(DEMO_OPERATORS.read_text(encoding="utf-8"))[3].items() if k != "status_path"}
    created = client.post("/api/v1/operators", json=data, headers=official)
    if created.status_code == 409:
        found = client.get("/api/v1/operators", params={"q": data["uscc"]}, headers=official).json()["items"]
        operator_id, status = found[0]["id"], found[0]["status"]
    else:
        assert created.status_code == 201, created.text
        operator_id, status = created.json()["id"], created.json()["status"]
    if status != "qualified":
        moved = client.post(
            f"/api/v1/operators/{operator_id}/status",
            json={"status": "qualified", "reason": "资质审核通过"},
            headers=official,
        )
        assert moved.status_code == 200, moved.text
    return operator_id


def contract_body(operator_id: int, facility_id: int, starts_on, **overrides) -> dict:
    return {
        "title": "社区文化室社会化运营（单一来源）",
        "operator_id": operator_id,
        "facility_ids": [facility_id],
        "procurement_method": "single_source",
        "justification": "社区内唯一具备资质的社会组织",
        "starts_on": starts_on.isoformat(),
        "ends_on": (starts_on + timedelta(days=364)).isoformat(),
        "amount_fen": 24_000_000,
        "instalments": [{"due_on": (starts_on + timedelta(days=90)).isoformat(), "amount_fen": 24_000_000}],
        **overrides,
    }


def test_a_subdistrict_official_signs_only_for_their_subdistrict_and_the_hand_over_waits_for_the_start(platform):
    with httpx.Client(base_url=platform.url, timeout=20) as client:
        district = bearer(client, "demo-official")
        sub = bearer(client, "demo-subdistrict-official")
        assert client.get(f"/api/v1/facilities/{JINGSHAN_FACILITY}").json()["subdistrict"] == "jingshan"
        assert client.get(f"/api/v1/facilities/{OTHER_FACILITY}").json()["subdistrict"] != "jingshan"
        operator_id = operator_for_rules(client, district)

        # Operators' standing is the district's.
        suspend = client.post(
            f"/api/v1/operators/{operator_id}/status", json={"status": "suspended", "reason": "越权"}, headers=sub
        )
        assert suspend.status_code == 403
        assert client.get(f"/api/v1/operators/{operator_id}", headers=district).json()["status"] == "qualified"

        starts_on = datetime.now(UTC).astimezone(DISTRICT_TZ).date() + timedelta(days=2)
        elsewhere = client.post(
            "/api/v1/contracts", json=contract_body(operator_id, OTHER_FACILITY, starts_on), headers=sub
        )
        assert elsewhere.status_code == 403, elsewhere.text
        assert elsewhere.json()["type"] == "/problems/facility-outside-subdistrict"

        mine = client.post(
            "/api/v1/contracts", json=contract_body(operator_id, JINGSHAN_FACILITY, starts_on), headers=sub
        )
        assert mine.status_code == 201, mine.text
        contract_id = mine.json()["id"]
        active = client.post(
            f"/api/v1/contracts/{contract_id}/status", json={"status": "active", "reason": "签约生效"}, headers=sub
        )
        assert active.status_code == 200, active.text
        assert active.json()["handed_over_at"] is None

        # Signed two days ahead: the sweep does not hand it over yet, and facilities-api keeps the
        # facility government-run (its feed reader polls every 0.5 s here).
        swept = client.post("/api/v1/contracts/expiry-sweep/runs", headers=district)
        assert swept.status_code == 200 and contract_id not in swept.json()["started_contract_ids"]
        time.sleep(2)
        assert client.get(f"/api/v1/facilities/{JINGSHAN_FACILITY}").json()["operation"]["mode"] == "government"
        assert client.get(f"/api/v1/contracts/{contract_id}", headers=district).json()["handed_over_at"] is None


def test_an_operator_key_does_only_what_its_scopes_say(platform):
    with httpx.Client(base_url=platform.url, timeout=20) as client:
        staff = bearer(client, "demo-operator")
        issued = client.post(
            "/api/v1/api-keys", json={"name": "票务系统", "scopes": ["activities:write"]}, headers=staff
        )
        assert issued.status_code == 201, issued.text
        narrow = {"X-API-Key": issued.json()["key"]}
        for path in (
            "/api/v1/fee-applications",
            "/api/v1/service-reports",
            "/api/v1/selections/1/bids",
            "/api/v1/evaluations/1/appeal",
        ):
            resp = client.post(path, json={}, headers=narrow)
            assert resp.status_code == 403, (path, resp.text)
            assert "errors" not in resp.json()
        assert client.get("/api/v1/service-reports", headers=narrow).status_code == 403
        reports_key = client.post(
            "/api/v1/api-keys", json={"name": "月报系统", "scopes": ["reports:write"]}, headers=staff
        )
        assert reports_key.status_code == 201, reports_key.text
        # Past the gate: the body is then checked.
        assert (
            client.post(
                "/api/v1/service-reports", json={}, headers={"X-API-Key": reports_key.json()["key"]}
            ).status_code
            == 422
        )


def test_a_resident_gets_403_not_the_field_list(platform):
    with httpx.Client(base_url=platform.url, timeout=20) as client:
        resident = bearer(client, "demo-resident")
        for path in (
            "/api/v1/contracts",
            "/api/v1/operators",
            "/api/v1/evaluations",
            "/api/v1/evaluation-schemes",
            "/api/v1/inspections",
            "/api/v1/volunteer-teams",
            "/api/v1/trainings/1/enrolments",
        ):
            resp = client.post(path, json={}, headers=resident)
            assert resp.status_code == 403, (path, resp.text)
            assert "errors" not in resp.json()
