"""Contracts (合同): from an award or single source, overlap rules, the state machine and the events
facilities-api applies (contract.started / contract.ended, fee.expired with the end)."""

from __future__ import annotations

import pytest

from tests.factories import (
    active_contract,
    at,
    awarded_selection,
    contract_body,
    contract_status,
    draft_contract,
    move_status,
    qualified_operator,
)

URL = "/api/v1/contracts"


async def events(client, auth, types: str | None = None) -> list[dict]:
    params = {"limit": 1000, **({"types": types} if types else {})}
    return (await client.get("/api/v1/events", params=params, headers=auth("official"))).json()["items"]


class TestContractFromAward:
    async def test_the_award_becomes_a_draft_contract_for_the_winner(self, client, auth, clock):
        done = await awarded_selection(client, auth, clock)
        sel, winner = done["selection"], done["operators"][0]
        body = {
            "title": sel["title"],
            "selection_id": sel["id"],
            "starts_on": "2026-07-01",
            "ends_on": "2028-06-30",
            "amount_fen": 250_000_000,
            "instalments": [
                {"due_on": "2026-07-15", "amount_fen": 125_000_000},
                {"due_on": "2027-07-15", "amount_fen": 125_000_000, "linked_period": "2027"},
            ],
            "kpi_targets": {"activities_per_month": 8},
        }
        resp = await client.post(URL, json=body, headers=auth("official"))
        assert resp.status_code == 201, resp.text
        c = resp.json()
        assert (c["operator_id"], c["procurement_method"], c["facility_ids"], c["status"]) == (
            winner["id"],
            "competitive_consultation",
            [39, 41],
            "draft",
        )
        assert c["bid_id"] == done["bids"][0]["id"]
        assert [i["seq"] for i in c["instalments"]] == [1, 2]
        again = await client.post(URL, json=body, headers=auth("official"))
        assert again.status_code == 409 and again.json()["type"] == "/problems/award-already-contracted"

    @pytest.mark.parametrize(
        ("change", "code"),
        [
            ({"amount_fen": 240_000_000}, "amount-differs-from-award"),
            ({"facility_ids": [39, 110]}, "facility-not-in-selection"),
        ],
    )
    async def test_the_contract_keeps_to_the_award(self, client, auth, clock, change, code):
        done = await awarded_selection(client, auth, clock)
        body = {
            "title": "x",
            "selection_id": done["selection"]["id"],
            "starts_on": "2026-07-01",
            "ends_on": "2028-06-30",
            "amount_fen": 250_000_000,
            "instalments": [{"due_on": "2026-07-15", "amount_fen": 250_000_000}],
            **change,
        }
        if "amount_fen" in change:
            body["instalments"] = [{"due_on": "2026-07-15", "amount_fen": change["amount_fen"]}]
        resp = await client.post(URL, json=body, headers=auth("official"))
        assert resp.status_code == 422 and resp.json()["errors"][0]["code"] == code

    async def test_a_selection_not_awarded_has_no_contract(self, client, auth):
        from tests.factories import create_selection

        sel = await create_selection(client, auth("official"))
        body = {
            "title": "x",
            "selection_id": sel["id"],
            "starts_on": "2026-07-01",
            "ends_on": "2027-06-30",
            "amount_fen": 1,
            "instalments": [{"due_on": "2026-07-15", "amount_fen": 1}],
        }
        resp = await client.post(URL, json=body, headers=auth("official"))
        assert resp.status_code == 409 and resp.json()["type"] == "/problems/selection-not-awarded"


class TestSingleSourceContract:
    async def test_single_source_needs_its_justification(self, client, auth):
        op = await qualified_operator(client, auth("official"))
        resp = await client.post(URL, json=contract_body(op["id"], justification=""), headers=auth("official"))
        assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "justification"

    async def test_a_facility_the_registry_does_not_know_is_refused_and_nothing_is_drawn_up(
        self, client, auth, facilities_link
    ):
        op = await qualified_operator(client, auth("official"))
        resp = await client.post(URL, json=contract_body(op["id"], facility_ids=[114, 9001]), headers=auth("official"))
        assert resp.status_code == 422, resp.text
        assert resp.json()["errors"] == [
            {"field": "facility_ids", "message": "facilities-api knows no facility 9001.", "code": "unknown-facility"}
        ]
        facilities_link.down = True
        resp = await client.post(URL, json=contract_body(op["id"]), headers=auth("official"))
        assert resp.status_code == 503 and "facilities-api" in resp.json()["detail"]
        facilities_link.down = False
        assert (await client.get(URL, headers=auth("official"))).json()["items"] == []

    async def test_other_methods_need_a_selection(self, client, auth):
        op = await qualified_operator(client, auth("official"))
        resp = await client.post(
            URL, json=contract_body(op["id"], procurement_method="public_tender"), headers=auth("official")
        )
        assert resp.status_code == 422 and resp.json()["errors"][0]["code"] == "selection-required"

    async def test_the_evaluation_scheme_named_must_exist(self, client, auth):
        op = await qualified_operator(client, auth("official"))
        resp = await client.post(URL, json=contract_body(op["id"], evaluation_scheme_id=999), headers=auth("official"))
        assert resp.status_code == 422, resp.text
        assert resp.json()["errors"] == [
            {"field": "evaluation_scheme_id", "message": "No evaluation scheme 999.", "code": "unknown-scheme"}
        ]
        scheme = await client.post(
            "/api/v1/evaluation-schemes",
            json={
                "name": "文体中心方案",
                "weights": {"kpi": 50, "inspection": 20, "satisfaction": 20, "expert": 10},
                "thresholds": {"excellent": 92, "good": 82, "pass": 65},
                "payment_percent": {"excellent": 105, "good": 100, "pass": 90, "fail": 60},
                "credit_points": {"excellent": 5, "good": 2, "pass": 0, "fail": -5},
            },
            headers=auth("official"),
        )
        assert scheme.status_code == 201, scheme.text
        resp = await client.post(
            URL, json=contract_body(op["id"], evaluation_scheme_id=scheme.json()["id"]), headers=auth("official")
        )
        assert resp.status_code == 201, resp.text
        assert resp.json()["evaluation_scheme_id"] == scheme.json()["id"]

    @pytest.mark.parametrize(
        ("overrides", "field", "code"),
        [
            ({"amount_fen": 120_000_001}, "instalments", "instalments-sum"),
            (
                {"instalments": [{"due_on": "2026-04-15", "amount_fen": 120_000_000, "linked_period": "2027-Q1"}]},
                "instalments.0.linked_period",
                "linked-period-outside",
            ),
            ({"ends_on": "2025-12-31"}, "ends_on", "period-order"),
        ],
    )
    async def test_instalments_and_period_are_checked(self, client, auth, overrides, field, code):
        op = await qualified_operator(client, auth("official"))
        resp = await client.post(URL, json=contract_body(op["id"], **overrides), headers=auth("official"))
        assert resp.status_code == 422, resp.text
        assert (resp.json()["errors"][0]["field"], resp.json()["errors"][0]["code"]) == (field, code)
        assert (await client.get(URL, headers=auth("official"))).json()["items"] == []


class TestOverlap:
    async def test_one_contract_per_facility_and_period(self, client, auth):
        first = await active_contract(client, auth)
        op = await qualified_operator(client, auth("official"))
        clash = await client.post(
            URL,
            json=contract_body(
                op["id"],
                facility_ids=[114, 115],
                starts_on="2026-12-01",
                ends_on="2027-11-30",
                instalments=[{"due_on": "2027-01-01", "amount_fen": 120_000_000}],
            ),
            headers=auth("official"),
        )
        assert clash.status_code == 409
        body = clash.json()
        assert body["type"] == "/problems/contract-overlap"
        assert body["overlapping"] == [{"contract_id": first["id"], "facility_id": 114}]
        assert body["errors"][0]["field"] == "facility_ids"
        after = await draft_contract(
            client,
            auth,
            op["id"],
            starts_on="2027-01-01",
            ends_on="2027-12-31",
            instalments=[{"due_on": "2027-02-01", "amount_fen": 120_000_000}],
        )
        assert after["status"] == "draft"

    async def test_a_terminated_contract_frees_the_facility_from_its_end(self, client, auth):
        first = await active_contract(client, auth)
        await contract_status(client, auth, first["id"], "terminated", "运营方违约")
        op = await qualified_operator(client, auth("official"))
        later = await client.post(
            URL,
            json=contract_body(
                op["id"],
                starts_on="2026-06-02",
                ends_on="2026-12-31",
                instalments=[{"due_on": "2026-07-01", "amount_fen": 120_000_000}],
            ),
            headers=auth("official"),
        )
        assert later.status_code == 201, later.text


class TestActivate:
    async def test_activation_announces_contract_started_for_facilities_api(self, client, auth):
        op = await qualified_operator(client, auth("official"), legal_name="美后肆时文化发展有限公司")
        c = await draft_contract(
            client,
            auth,
            op["id"],
            facility_ids=[114, 119],
            starts_on="2026-06-01",
            ends_on="2027-05-31",
            instalments=[{"due_on": "2026-08-01", "amount_fen": 120_000_000}],
        )
        resp = await contract_status(client, auth, c["id"], "active", "合同签订")
        assert resp.status_code == 200 and resp.json()["status"] == "active"
        [started] = await events(client, auth, "contract.started")
        # Activated on its start date (2026-06-01): the hand-over is announced at once.
        assert started["data"] == {
            "contract_id": c["id"],
            "operator_id": op["id"],
            "operator_name": "美后肆时文化发展有限公司",
            "facility_ids": [114, 119],
            "starts_on": "2026-06-01",
            "ends_on": "2027-05-31",
        }
        assert started["subject"] == f"contract/{c['id']}"

    async def test_an_operator_not_qualified_cannot_start(self, client, auth):
        op = await qualified_operator(client, auth("official"))
        c = await draft_contract(client, auth, op["id"])
        await move_status(client, auth("official"), op["id"], "suspended")
        resp = await contract_status(client, auth, c["id"], "active")
        assert resp.status_code == 409 and resp.json()["type"] == "/problems/operator-not-qualified"
        assert await events(client, auth, "contract.*") == []

    async def test_drafts_are_for_officials_and_the_operator(self, client, auth):
        op = await qualified_operator(client, auth("official"))
        c = await draft_contract(client, auth, op["id"])
        assert (await client.get(f"{URL}/{c['id']}")).status_code == 404
        assert (await client.get(f"{URL}/{c['id']}", headers=auth("operator", operator_id=op["id"]))).status_code == 200
        assert (
            await client.get(f"{URL}/{c['id']}", headers=auth("operator", operator_id=op["id"] + 1))
        ).status_code == 404
        await contract_status(client, auth, c["id"], "active")
        assert (await client.get(f"{URL}/{c['id']}")).json()["status"] == "active"


class TestSuspendResumeEnd:
    async def test_suspension_keeps_the_operator_and_ends_nothing(self, client, auth):
        c = await active_contract(client, auth)
        assert (await contract_status(client, auth, c["id"], "suspended", "安全整改停业")).json()[
            "status"
        ] == "suspended"
        assert (await contract_status(client, auth, c["id"], "active", "整改完成")).json()["status"] == "active"
        types = [e["type"] for e in await events(client, auth, "contract.*")]
        assert types == ["contract.started", "contract.suspended", "contract.resumed"]

    async def test_termination_ends_the_contract_and_expires_its_fees_in_one_transaction(
        self, client, auth, facilities
    ):
        c = await active_contract(client, auth)
        staff = auth("operator", operator_id=c["operator_id"])
        app = await client.post(
            "/api/v1/fee-applications",
            json={
                "contract_id": c["id"],
                "facility_id": 114,
                "service_id": 2,
                "market_price_fen": 20_000,
                "proposed_fee_fen": 8_000,
                "special_group_free_percent": 10,
                "special_group_fee_fen": 4_000,
                "justification": "成本价收费",
            },
            headers=staff,
        )
        assert app.status_code == 201, app.text
        await client.post(
            f"/api/v1/fee-applications/{app.json()['id']}/decision",
            json={"decision": "approved", "reason": "符合指南"},
            headers=auth("official"),
        )
        resp = await contract_status(client, auth, c["id"], "terminated", "运营方严重违约")
        assert resp.json()["status"] == "terminated" and resp.json()["ended_on"] == "2026-06-01"
        tail = await events(client, auth)
        ended = next(e for e in tail if e["type"] == "contract.ended")
        assert (
            ended["data"]["contract_id"] == c["id"]
            and ended["data"]["facility_ids"] == [114]
            and ended["data"]["reason"] == "terminated"
        )
        expired = [e for e in tail if e["type"] == "fee.expired"]
        assert [e["data"] for e in expired] == [
            {"application_id": app.json()["id"], "facility_id": 114, "service_id": 2}
        ]
        assert tail[-1]["sequence"] - tail[-2]["sequence"] == 1
        assert (await client.get(f"/api/v1/fee-applications/{app.json()['id']}", headers=auth("official"))).json()[
            "status"
        ] == "expired"
        final = await contract_status(client, auth, c["id"], "active")
        assert final.status_code == 409 and final.json()["allowed"] == []

    async def test_expiry_only_after_the_last_day_and_by_the_sweep(self, client, auth, clock):
        c = await active_contract(client, auth)
        early = await contract_status(client, auth, c["id"], "expired")
        assert early.status_code == 409 and early.json()["type"] == "/problems/contract-not-due"
        at(clock, "2026-12-31T23:00:00+08:00")
        assert (await client.post(f"{URL}/expiry-sweep/runs", headers=auth("official"))).json()[
            "expired_contract_ids"
        ] == []
        at(clock, "2027-01-01T00:30:00+08:00")
        assert (await client.post(f"{URL}/expiry-sweep/runs", headers=auth("service"))).json()[
            "expired_contract_ids"
        ] == [c["id"]]
        got = (await client.get(f"{URL}/{c['id']}")).json()
        assert (got["status"], got["ended_on"]) == ("expired", "2026-12-31")
        [ended] = await events(client, auth, "contract.ended")
        assert ended["data"]["reason"] == "expired"

    async def test_the_background_sweeper_expires_due_contracts(self, app, client, auth, clock):
        from operators_api.contracts.sweeper import ContractExpirySweeper

        c = await active_contract(client, auth)
        at(clock, "2027-01-02T08:00:00+08:00")
        assert (await ContractExpirySweeper(app).sweep_once())["expired_contract_ids"] == [c["id"]]
        history = (
            await client.get(
                "/api/v1/audit-log", params={"entity_type": "contract", "entity_id": c["id"]}, headers=auth("auditor")
            )
        ).json()["items"]
        assert history[-1]["actor"] == "system:contract-expiry" and history[-1]["to_state"] == "expired"


class TestRenewal:
    async def test_renewal_needs_a_good_enough_evaluation(self, client, auth):
        c = await active_contract(client, auth)
        resp = await client.post(
            f"{URL}/{c['id']}/renewal",
            json={
                "ends_on": "2027-12-31",
                "amount_fen": 100,
                "instalments": [{"due_on": "2027-03-01", "amount_fen": 100}],
                "reason": "续约",
            },
            headers=auth("official"),
        )
        assert resp.status_code == 409 and resp.json()["type"] == "/problems/renewal-not-eligible"
        eligibility = (await client.get(f"{URL}/{c['id']}/renewal-eligibility")).json()
        assert eligibility == {
            "contract_id": c["id"],
            "eligible": False,
            "reason": "the contract has no published evaluation yet",
        }


class TestPayments:
    async def test_a_linked_instalment_waits_for_its_evaluation(self, client, auth):
        c = await active_contract(client, auth)
        resp = await client.post(
            f"{URL}/{c['id']}/instalments/1/payment", json={"paid_on": "2026-05-20"}, headers=auth("official")
        )
        assert resp.status_code == 409 and resp.json()["type"] == "/problems/instalment-awaits-evaluation"

    async def test_a_fixed_instalment_is_paid_once(self, client, auth):
        c = await active_contract(client, auth, instalments=[{"due_on": "2026-03-01", "amount_fen": 120_000_000}])
        url = f"{URL}/{c['id']}/instalments/1/payment"
        paid = await client.post(
            url, json={"paid_on": "2026-03-02", "payment_reference": "DC-PAY-001"}, headers=auth("official")
        )
        assert paid.status_code == 200
        assert paid.json()["instalments"][0]["paid_amount_fen"] == 120_000_000
        again = await client.post(url, json={"paid_on": "2026-03-03"}, headers=auth("official"))
        assert again.status_code == 409 and again.json()["type"] == "/problems/instalment-paid"
        ahead = await client.post(
            f"{URL}/{c['id']}/instalments/9/payment", json={"paid_on": "2026-03-03"}, headers=auth("official")
        )
        assert ahead.status_code == 404


class TestEditDraftContract:
    async def test_if_match_and_only_drafts(self, client, auth):
        op = await qualified_operator(client, auth("official"))
        c = await draft_contract(client, auth, op["id"])
        url = f"{URL}/{c['id']}"
        assert (await client.patch(url, json={"title": "新标题"}, headers=auth("official"))).status_code == 428
        ok = await client.patch(
            url, json={"title": "新标题", "facility_ids": [114, 115]}, headers={**auth("official"), "If-Match": '"v1"'}
        )
        assert ok.status_code == 200 and ok.json()["facility_ids"] == [114, 115] and ok.json()["version"] == 2
        await contract_status(client, auth, c["id"], "active")
        late = await client.patch(url, json={"title": "再改"}, headers={**auth("official"), "If-Match": '"v3"'})
        assert late.status_code == 409


class TestHandOverOnTheStartDate:
    """A contract signed ahead of its start date hands the facility over on that date (Asia/Shanghai),
    from the sweep, not on signature: the incoming operator gains nothing by an early activation."""

    async def test_an_early_activation_leaves_the_facility_where_it_is_until_the_start_date(
        self, app, client, auth, clock
    ):
        from operators_api.contracts.sweeper import ContractExpirySweeper

        op = await qualified_operator(client, auth("official"))
        c = await draft_contract(
            client,
            auth,
            op["id"],
            starts_on="2026-07-01",
            ends_on="2026-12-31",
            instalments=[{"due_on": "2026-10-15", "amount_fen": 120_000_000}],
        )
        resp = await contract_status(client, auth, c["id"], "active", "合同签订生效")
        assert resp.status_code == 200 and resp.json()["status"] == "active" and resp.json()["handed_over_at"] is None
        assert await events(client, auth, "contract.started") == []
        at(clock, "2026-06-30T23:59:00+08:00")
        assert (await client.post(f"{URL}/expiry-sweep/runs", headers=auth("official"))).json()[
            "started_contract_ids"
        ] == []
        assert await events(client, auth, "contract.started") == []
        at(clock, "2026-07-01T00:05:00+08:00")  # 2026-06-30 16:05 UTC: already the start date in Beijing
        assert (await ContractExpirySweeper(app).sweep_once())["started_contract_ids"] == [c["id"]]
        [started] = await events(client, auth, "contract.started")
        assert started["data"] == {
            "contract_id": c["id"],
            "operator_id": op["id"],
            "operator_name": op["legal_name"],
            "facility_ids": [114],
            "starts_on": "2026-07-01",
            "ends_on": "2026-12-31",
        }
        got = (await client.get(f"{URL}/{c['id']}")).json()
        assert got["handed_over_at"] is not None
        # Once only.
        assert (await client.post(f"{URL}/expiry-sweep/runs", headers=auth("service"))).json()[
            "started_contract_ids"
        ] == []
        assert len(await events(client, auth, "contract.started")) == 1
        at(clock, "2027-01-01T00:10:00+08:00")
        assert (await client.post(f"{URL}/expiry-sweep/runs", headers=auth("service"))).json()[
            "expired_contract_ids"
        ] == [c["id"]]
        [ended] = await events(client, auth, "contract.ended")
        assert ended["data"]["ended_on"] == "2026-12-31"

    async def test_a_contract_whose_period_has_begun_hands_over_on_activation(self, client, auth):
        c = await active_contract(client, auth)  # 2026-01-01 … 2026-12-31, activated 2026-06-01
        assert c["handed_over_at"] is not None
        assert len(await events(client, auth, "contract.started")) == 1

    async def test_a_contract_suspended_before_its_start_hands_over_when_resumed(self, client, auth, clock):
        op = await qualified_operator(client, auth("official"))
        c = await draft_contract(
            client,
            auth,
            op["id"],
            starts_on="2026-07-01",
            ends_on="2026-12-31",
            instalments=[{"due_on": "2026-10-15", "amount_fen": 120_000_000}],
        )
        await contract_status(client, auth, c["id"], "active")
        await contract_status(client, auth, c["id"], "suspended", "整顿")
        at(clock, "2026-07-02T09:00:00+08:00")
        assert (await client.post(f"{URL}/expiry-sweep/runs", headers=auth("official"))).json()[
            "started_contract_ids"
        ] == []
        resumed = await contract_status(client, auth, c["id"], "active", "恢复")
        assert resumed.json()["handed_over_at"] is not None
        assert len(await events(client, auth, "contract.started")) == 1

    async def test_only_officials_and_services_run_the_sweep(self, client, auth):
        assert (
            await client.post(f"{URL}/expiry-sweep/runs", headers=auth("operator", operator_id=1))
        ).status_code == 403
        assert (await client.post(f"{URL}/expiry-sweep/runs", headers=auth("auditor"))).status_code == 403
