"""Preferential fees (优惠收费): the guideline, automatic checks, decisions, and the events that let
facilities-api publish (or withdraw) a fee."""

from __future__ import annotations

import pytest

from tests.factories import active_contract

URL = "/api/v1/fee-applications"


def application(contract: dict, **overrides) -> dict:
    body = {
        "contract_id": contract["id"],
        "facility_id": 114,
        "service_id": 2,
        "market_price_fen": 20_000,
        "proposed_fee_fen": 8_000,
        "special_group_free_percent": 10,
        "special_group_fee_fen": 4_000,
        "justification": "按成本价收取材料费",
    }
    body.update(overrides)
    return body


async def count(client, auth) -> int:
    return len((await client.get(URL, headers=auth("official"))).json()["items"])


class TestGuideline:
    async def test_the_default_applies_until_a_district_official_sets_one(self, client, auth):
        resp = await client.get(f"{URL}/guideline")
        assert (
            resp.json()["version"] == 0
            and resp.json()["cap_percent_of_market"] == 50
            and resp.headers["etag"] == '"v0"'
        )
        body = {
            "cap_percent_of_market": 60,
            "min_special_group_free_percent": 20,
            "max_special_group_price_percent": 50,
            "allowed_categories": ["training"],
        }
        assert (await client.put(f"{URL}/guideline", json=body, headers=auth("official"))).status_code == 428
        assert (
            await client.put(
                f"{URL}/guideline", json=body, headers={**auth("official", subdistrict="jingshan"), "If-Match": '"v0"'}
            )
        ).status_code == 403
        ok = await client.put(f"{URL}/guideline", json=body, headers={**auth("official"), "If-Match": '"v0"'})
        assert ok.status_code == 200 and ok.json()["version"] == 1
        assert (
            await client.put(f"{URL}/guideline", json=body, headers={**auth("official"), "If-Match": '"v0"'})
        ).status_code == 412


class TestApply:
    async def test_an_application_is_checked_against_the_guideline(self, client, auth):
        c = await active_contract(client, auth)
        resp = await client.post(URL, json=application(c), headers=auth("operator", operator_id=c["operator_id"]))
        assert resp.status_code == 201, resp.text
        app = resp.json()
        assert (app["status"], app["service_name"], app["service_category"], app["guideline_version"]) == (
            "submitted",
            "少儿书法培训",
            "training",
            0,
        )
        assert all(r["ok"] for r in app["guideline_check"])
        fee_cap = next(r for r in app["guideline_check"] if r["code"] == "fee-above-cap")
        assert fee_cap["cap_fen"] == 10_000

    @pytest.mark.parametrize(
        ("overrides", "field", "code"),
        [
            ({"proposed_fee_fen": 10_001, "special_group_fee_fen": 0}, "proposed_fee_fen", "fee-above-cap"),
            ({"service_id": 1}, "service_id", "basic-service-free"),
            ({"service_id": 3}, "service_id", "category-not-allowed"),
            ({"service_id": 99}, "service_id", "unknown-service"),
            ({"special_group_free_percent": 5}, "special_group_free_percent", "special-group-free-places"),
            ({"special_group_fee_fen": 4_001}, "special_group_fee_fen", "special-group-price"),
            ({"facility_id": 115}, "facility_id", "facility-not-in-contract"),
        ],
    )
    async def test_what_the_guideline_forbids_is_refused_and_nothing_is_written(
        self, client, auth, overrides, field, code
    ):
        c = await active_contract(client, auth)
        resp = await client.post(
            URL, json=application(c, **overrides), headers=auth("operator", operator_id=c["operator_id"])
        )
        assert resp.status_code == 422, resp.text
        assert (resp.json()["errors"][0]["field"], resp.json()["errors"][0]["code"]) == (field, code)
        assert await count(client, auth) == 0

    async def test_only_for_your_own_running_contract(self, client, auth):
        c = await active_contract(client, auth)
        other = await client.post(URL, json=application(c), headers=auth("operator", operator_id=c["operator_id"] + 1))
        assert other.status_code == 422 and other.json()["errors"][0]["code"] == "not-your-contract"
        assert (await client.post(URL, json=application(c), headers=auth("official"))).status_code == 403
        await client.post(
            f"/api/v1/contracts/{c['id']}/status",
            json={"status": "suspended", "reason": "停业"},
            headers=auth("official"),
        )
        paused = await client.post(URL, json=application(c), headers=auth("operator", operator_id=c["operator_id"]))
        assert paused.status_code == 409 and paused.json()["type"] == "/problems/contract-not-active"

    async def test_when_facilities_api_is_down_nothing_is_saved(self, client, auth, facilities_link):
        c = await active_contract(client, auth)
        facilities_link.down = True
        resp = await client.post(URL, json=application(c), headers=auth("operator", operator_id=c["operator_id"]))
        assert resp.status_code == 503
        assert resp.json()["type"] == "/problems/dependency-unavailable"
        assert "nothing was saved" in resp.json()["detail"]
        assert await count(client, auth) == 0

    async def test_one_live_application_per_service(self, client, auth):
        c = await active_contract(client, auth)
        staff = auth("operator", operator_id=c["operator_id"])
        first = await client.post(URL, json=application(c), headers=staff)
        again = await client.post(URL, json=application(c), headers=staff)
        assert again.status_code == 409 and again.json()["existing"] == {"id": first.json()["id"]}


class TestDecide:
    async def test_approval_announces_the_fee_for_facilities_api(self, client, auth):
        c = await active_contract(client, auth)
        app = (
            await client.post(URL, json=application(c), headers=auth("operator", operator_id=c["operator_id"]))
        ).json()
        resp = await client.post(
            f"{URL}/{app['id']}/decision", json={"decision": "approved", "reason": "符合指南"}, headers=auth("official")
        )
        assert (
            resp.status_code == 200
            and resp.json()["status"] == "approved"
            and resp.json()["expires_on"] == "2026-12-31"
        )
        [event] = (
            await client.get("/api/v1/events", params={"types": "fee.approved"}, headers=auth("official"))
        ).json()["items"]
        assert event["data"] == {
            "application_id": app["id"],
            "operator_id": c["operator_id"],
            "contract_id": c["id"],
            "facility_id": 114,
            "service_id": 2,
            "approved_fee_fen": 8_000,
            "expires_on": "2026-12-31",
        }
        twice = await client.post(
            f"{URL}/{app['id']}/decision", json={"decision": "rejected", "reason": "x"}, headers=auth("official")
        )
        assert twice.status_code == 409 and (twice.json()["from"], twice.json()["to"]) == ("approved", "rejected")

    async def test_rejection_and_revocation_with_reasons(self, client, auth):
        c = await active_contract(client, auth)
        staff = auth("operator", operator_id=c["operator_id"])
        app = (await client.post(URL, json=application(c), headers=staff)).json()
        rejected = await client.post(
            f"{URL}/{app['id']}/decision",
            json={"decision": "rejected", "reason": "收费项目需调整"},
            headers=auth("official"),
        )
        assert rejected.json()["decision_reason"] == "收费项目需调整"
        app2 = (await client.post(URL, json=application(c), headers=staff)).json()
        await client.post(
            f"{URL}/{app2['id']}/decision", json={"decision": "approved", "reason": "ok"}, headers=auth("official")
        )
        revoked = await client.post(
            f"{URL}/{app2['id']}/revocation", json={"reason": "收费超标投诉属实"}, headers=auth("official")
        )
        assert revoked.json()["status"] == "revoked"
        [event] = (
            await client.get("/api/v1/events", params={"types": "fee.revoked"}, headers=auth("official"))
        ).json()["items"]
        assert {k: event["data"][k] for k in ("application_id", "facility_id", "service_id")} == {
            "application_id": app2["id"],
            "facility_id": 114,
            "service_id": 2,
        }

    async def test_operators_see_their_own_applications_only(self, client, auth):
        c = await active_contract(client, auth)
        app = (
            await client.post(URL, json=application(c), headers=auth("operator", operator_id=c["operator_id"]))
        ).json()
        assert (
            await client.get(f"{URL}/{app['id']}", headers=auth("operator", operator_id=c["operator_id"] + 1))
        ).status_code == 404
        assert (await client.get(URL, headers=auth("operator", operator_id=c["operator_id"] + 1))).json()["items"] == []
        assert (await client.get(URL, headers=auth("resident"))).status_code == 403


class TestBasicServicesStayFree:
    """A basic service is free whoever runs the facility: the operator gains by switching its own
    service to non-basic during the contract and then charging for it."""

    async def test_a_service_basic_during_the_contract_gets_no_fee(self, client, auth, facilities):
        c = await active_contract(client, auth)  # runs from 2026-01-01
        # Basic until the operator switched it off in March; non-basic now.
        facilities.basic_periods[(114, 2)] = [
            {"from": "2025-01-01T00:00:00+08:00", "until": "2026-03-10T09:00:00+08:00"}
        ]
        resp = await client.post(URL, json=application(c), headers=auth("operator", operator_id=c["operator_id"]))
        assert resp.status_code == 422, resp.text
        assert (resp.json()["errors"][0]["field"], resp.json()["errors"][0]["code"]) == (
            "service_id",
            "basic-service-free",
        )
        assert "2026-03-10" in resp.json()["detail"]
        assert await count(client, auth) == 0

    async def test_a_service_basic_only_before_the_contract_may_carry_a_fee(self, client, auth, facilities):
        c = await active_contract(client, auth)
        facilities.basic_periods[(114, 2)] = [
            {"from": "2024-01-01T00:00:00+08:00", "until": "2025-12-31T23:00:00+08:00"}
        ]
        resp = await client.post(URL, json=application(c), headers=auth("operator", operator_id=c["operator_id"]))
        assert resp.status_code == 201, resp.text

    async def test_no_approval_for_a_service_that_became_basic_after_the_application(self, client, auth, facilities):
        c = await active_contract(client, auth)
        app = (
            await client.post(URL, json=application(c), headers=auth("operator", operator_id=c["operator_id"]))
        ).json()
        facilities.basic_periods[(114, 2)] = [{"from": "2026-05-20T00:00:00+08:00", "until": None}]
        resp = await client.post(
            f"{URL}/{app['id']}/decision", json={"decision": "approved", "reason": "符合指南"}, headers=auth("official")
        )
        assert resp.status_code == 422 and resp.json()["errors"][0]["code"] == "basic-service-free"
        assert (await client.get(f"{URL}/{app['id']}", headers=auth("official"))).json()["status"] == "submitted"
        assert (await client.get("/api/v1/events", params={"types": "fee.approved"}, headers=auth("official"))).json()[
            "items"
        ] == []

    async def test_without_the_basic_history_nothing_is_saved(self, client, auth, facilities):
        c = await active_contract(client, auth)
        facilities.basic_periods[(114, 2)] = "unknown"  # type: ignore[assignment]
        resp = await client.post(URL, json=application(c), headers=auth("operator", operator_id=c["operator_id"]))
        assert resp.status_code == 503 and await count(client, auth) == 0

    async def test_an_operator_key_applies_only_with_its_scope(self, client, auth):
        c = await active_contract(client, auth)
        key = {"sub": "apikey:5", "operator_id": c["operator_id"]}
        narrow = await client.post(URL, json={}, headers=auth("operator", scopes=["reports:write"], **key))
        assert narrow.status_code == 403 and "fees:apply" in narrow.json()["detail"]
        ok = await client.post(URL, json=application(c), headers=auth("operator", scopes=["fees:apply"], **key))
        assert ok.status_code == 201, ok.text
        assert (await client.get(URL, headers=auth("operator", scopes=["fees:apply"], **key))).status_code == 403
        assert (
            len((await client.get(URL, headers=auth("operator", scopes=["operator:read"], **key))).json()["items"]) == 1
        )
