"""Residents' voice, tried through the gateway as those its rules bind: the operator accused of
overcharging, its systems with a narrow key, the subdistrict official reaching for the district's
administration, and the operator reading residents' demands for the facility it runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from e2e.flows import active_contract, bearer, qualified_operator, wait_for

FACILITY = 79  # 汪芝麻社区文化室, in 景山 (jingshan)


def _etag(client: httpx.Client, url: str, who: dict[str, str]) -> str:
    return client.get(url, headers=who).headers["etag"]


def test_the_operator_and_the_subdistrict_official_cannot_bend_the_rules_of_feedback(platform):
    with httpx.Client(base_url=platform.url, timeout=15) as client:
        official = bearer(client, "demo-official")
        jingshan = bearer(client, "demo-subdistrict-official")
        operator_id = qualified_operator(client, official, 2)
        active_contract(client, official, operator_id, FACILITY)
        wait_for(
            lambda: client.get(f"/api/v1/facilities/{FACILITY}").json()["operation"]["operator_id"] == operator_id,
            "the facility shows its operator",
        )
        staff = client.post(
            "/api/v1/users",
            json={
                "username": "op-staff-79",
                "password": "a-long-password",
                "display_name": "运营专员",
                "role": "operator",
                "operator_id": operator_id,
            },
            headers=official,
        )
        assert staff.status_code == 201, staff.text
        operator = bearer(client, "op-staff-79", "a-long-password")
        assert (
            client.post(
                "/api/v1/auth/register",
                json={"username": "sun-qi", "password": "a-long-password", "display_name": "孙七"},
            ).status_code
            == 202
        )
        resident = bearer(client, "sun-qi", "a-long-password")

        # An overcharge complaint accuses the operator: the bureau handles it, the operator never sees it.
        filed = client.post(
            "/api/v1/cases",
            json={
                "category": "fee_overcharge",
                "target_type": "facility",
                "target_id": FACILITY,
                "title": "收费超标",
                "description": "公益讲座收了30元",
                "attributes": {"charged_fen": 3000},
            },
            headers=resident,
        )
        assert filed.status_code == 201, filed.text
        case = filed.json()
        assert case["assignee"] == {"type": "official", "operator_id": None} and case["operator_id"] == operator_id
        assert case["charge"]["charged_fen"] == 3000
        assert [c["id"] for c in client.get("/api/v1/cases", headers=operator).json()["items"]] == []
        url = f"/api/v1/cases/{case['id']}"
        assert client.get(url, headers=operator).status_code == 404
        refused = client.post(
            f"{url}/respond", json={"text": "误会"}, headers={**operator, "If-Match": f'"{case["version"]}"'}
        )
        assert refused.status_code == 404
        answered = client.post(
            f"{url}/respond",
            json={"text": "已责令退还多收费用"},
            headers={**jingshan, "If-Match": _etag(client, url, jingshan)},
        )
        assert answered.status_code == 200, answered.text

        # The operator's systems act only within their key's scopes.
        key = client.post(
            "/api/v1/api-keys", json={"name": "排期系统", "scopes": ["activities:write"]}, headers=operator
        )
        assert key.status_code == 201, key.text
        narrow = {"X-API-Key": key.json()["key"]}
        assert client.get("/api/v1/cases", headers=narrow).status_code == 403
        assert client.get("/api/v1/demands", headers=narrow).status_code == 403

        # The subdistrict official does not administer the district.
        assert (
            client.put("/api/v1/cases/calendar/2027-01-04", json={"kind": "holiday"}, headers=jingshan).status_code
            == 403
        )
        assert client.post("/api/v1/open311-clients", json={"name": "街道热线"}, headers=jingshan).status_code == 403
        assert client.post("/api/v1/moderation/words", json={}, headers=jingshan).status_code == 403

        # The operator reads what residents ask of its facility, without their phone numbers, and answers none.
        demand = client.post(
            "/api/v1/demands",
            json={
                "category": "elderly",
                "title": "希望开设智能手机课，电话 13912345678",
                "facility_id": FACILITY,
                "subdistrict": "donghuamen",
            },
            headers=resident,
        )
        assert demand.status_code == 422, "a facility's request goes to its own subdistrict"
        demand = client.post(
            "/api/v1/demands",
            json={"category": "elderly", "title": "希望开设智能手机课，电话 13912345678", "facility_id": FACILITY},
            headers=resident,
        )
        assert demand.status_code == 201, demand.text
        demand_id = demand.json()["id"]
        seen = wait_for(
            lambda: client.get("/api/v1/demands", headers=operator).json()["items"],
            "the operator sees its facility's demand",
        )
        assert [d["id"] for d in seen] == [demand_id] and "13912345678" not in seen[0]["title"]
        demand_url = f"/api/v1/demands/{demand_id}"
        assert (
            client.post(
                f"{demand_url}/answer",
                json={"status": "planned"},
                headers={**operator, "If-Match": _etag(client, demand_url, jingshan)},
            ).status_code
            == 403
        )

        # An activity still to come does not deliver it.
        starts = datetime.now(UTC) + timedelta(days=3)
        activity = client.post(
            "/api/v1/activities",
            json={
                "facility_id": FACILITY,
                "title": "智能手机课",
                "category": "training",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=2)).isoformat(),
                "capacity": 20,
                "publish": True,
            },
            headers=official,
        )
        assert activity.status_code == 201, activity.text
        early = client.post(
            f"{demand_url}/answer",
            json={"status": "delivered", "activity_id": activity.json()["id"]},
            headers={**jingshan, "If-Match": _etag(client, demand_url, jingshan)},
        )
        assert early.status_code == 422 and early.json()["errors"][0]["field"] == "activity_id"
        assert client.get(demand_url, headers=jingshan).json()["status"] == "submitted"
