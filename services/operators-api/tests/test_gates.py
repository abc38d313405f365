"""Who may call each route, tried as the party who gains by going further than its role: an operator's
API key with a narrow scope, a subdistrict official reaching for the district's administration or
another subdistrict's facilities, a resident probing an official's route for its field list."""

from __future__ import annotations

import pytest

from operators_api.main import create_app
from operators_api.settings import Settings
from service_kit.scopes import SCOPES
from tests.factories import (
    active_contract,
    at,
    contract_body,
    create_operator,
    draft_contract,
    operator_body,
    qualified_operator,
    selection_body,
)

KEY = "apikey:41"


def key(auth, operator_id: int, *scopes: str) -> dict[str, str]:
    """The credential the gateway makes from an operator's API key."""
    return auth("operator", sub=KEY, operator_id=operator_id, scopes=list(scopes))


class TestEveryRouteHasAGate:
    def test_every_operation_says_who_may_call_it_and_names_only_known_scopes(self):
        doc = create_app(Settings(database_url="sqlite+aiosqlite://", environment="test")).openapi()
        public = {
            ("get", "/api/v1/fee-applications/guideline"),
            ("get", "/api/v1/inspections/checklist"),
            ("get", "/api/v1/evaluation-schemes"),
            ("get", "/api/v1/evaluation-schemes/{scheme_id}"),
            ("get", "/api/v1/trainings"),
            ("get", "/api/v1/trainings/{programme_id}"),
            ("get", "/api/v1/incubations"),
            ("get", "/api/v1/incubations/{incubation_id}"),
            ("get", "/api/v1/volunteer-teams"),
            ("get", "/api/v1/volunteer-teams/{team_id}"),
            ("get", "/api/v1/volunteers/{volunteer_id}/service-records"),
            ("get", "/api/v1/ocds/releases"),
            ("get", "/api/v1/operators/{operator_id}/honours"),
        }
        for path, item in doc["paths"].items():
            if not path.startswith("/api/v1/") or path.startswith(("/api/v1/events", "/api/v1/webhooks")):
                continue
            for method, op in item.items():
                gate = op["x-authorization"]
                assert gate["scope"] is None or gate["scope"] in SCOPES
                if method != "get":
                    assert gate["signed_in"], f"{method} {path} has no gate"
                elif not gate["signed_in"] and not gate["roles"] and gate["scope"] is None:
                    assert (method, path) in public, f"{method} {path} is open to anyone"


class TestOperatorKeys:
    """An operator's systems act for the operator only within the key's scopes."""

    @pytest.mark.parametrize(
        ("method", "path", "scope"),
        [
            ("post", "/api/v1/selections/1/bids", "bids:submit"),
            ("post", "/api/v1/service-reports", "reports:write"),
            ("post", "/api/v1/rectifications/1/response", "reports:write"),
            ("post", "/api/v1/fee-applications", "fees:apply"),
            ("post", "/api/v1/evaluations/1/appeal", "appeals:submit"),
        ],
    )
    async def test_a_key_without_the_scope_is_refused_before_the_body(self, client, auth, method, path, scope):
        others = [
            s for s in ("bids:submit", "reports:write", "fees:apply", "appeals:submit", "operator:read") if s != scope
        ]
        resp = await client.request(method, path, json={}, headers=key(auth, 3, *others))
        assert resp.status_code == 403 and scope in resp.json()["detail"]
        assert "errors" not in resp.json()
        assert (await client.request(method, path, json={}, headers=key(auth, 3, scope))).status_code != 403

    async def test_a_key_reads_its_operator_records_only_with_operator_read(self, client, auth):
        c = await active_contract(client, auth)
        oid = c["operator_id"]
        for path in (
            "/api/v1/service-reports",
            "/api/v1/evaluations",
            "/api/v1/rectifications",
            "/api/v1/inspections",
            f"/api/v1/operators/{oid}/credit",
        ):
            assert (await client.get(path, headers=key(auth, oid, "fees:apply"))).status_code == 403, path
            assert (await client.get(path, headers=key(auth, oid, "operator:read"))).status_code == 200, path
        draft = await draft_contract(
            client,
            auth,
            oid,
            facility_ids=[200],
            starts_on="2027-01-01",
            ends_on="2027-12-31",
            instalments=[{"due_on": "2027-04-15", "amount_fen": 120_000_000}],
        )
        # Without operator:read a key sees what the public sees: not its operator's drafts.
        assert (
            await client.get(f"/api/v1/contracts/{draft['id']}", headers=key(auth, oid, "fees:apply"))
        ).status_code == 404
        assert (
            await client.get(f"/api/v1/contracts/{draft['id']}", headers=key(auth, oid, "operator:read"))
        ).status_code == 200

    async def test_a_key_cannot_do_what_only_staff_in_person_do(self, client, auth):
        op = await create_operator(client, auth("official"))
        every = list(s for s, spec in SCOPES.items() if spec.issued_to == "operator")
        edit = await client.patch(
            f"/api/v1/operators/{op['id']}",
            json={"name_en": "X"},
            headers={**key(auth, op["id"], *every), "If-Match": '"v1"'},
        )
        assert edit.status_code == 403
        team = await client.post("/api/v1/volunteer-teams", json={}, headers=key(auth, op["id"], *every))
        assert team.status_code == 403
        panel = await client.post(
            "/api/v1/selections/1/panel/declaration", json={}, headers=key(auth, op["id"], *every)
        )
        assert panel.status_code == 403


class TestTheDistrictsAdministration:
    """Operators' standing, evaluation schemes, the fee guideline and honours are the district's."""

    async def test_a_subdistrict_official_does_not_register_qualify_suspend_blacklist_or_edit_operators(
        self, client, auth
    ):
        sub = auth("official", subdistrict="jingshan")
        assert (await client.post("/api/v1/operators", json={}, headers=sub)).status_code == 403
        op = await qualified_operator(client, auth("official"))
        for status in ("suspended", "blacklisted"):
            resp = await client.post(
                f"/api/v1/operators/{op['id']}/status", json={"status": status, "reason": "越权"}, headers=sub
            )
            assert resp.status_code == 403
        edit = await client.patch(
            f"/api/v1/operators/{op['id']}",
            json={"legal_name": "改名"},
            headers={**sub, "If-Match": f'"v{op["version"]}"'},
        )
        assert edit.status_code == 403
        got = (await client.get(f"/api/v1/operators/{op['id']}", headers=auth("official"))).json()
        assert (got["status"], got["legal_name"]) == ("qualified", op["legal_name"])
        # The district still does it.
        assert (
            await client.post("/api/v1/operators", json=operator_body(), headers=auth("official"))
        ).status_code == 201

    async def test_a_subdistrict_official_sets_no_district_wide_rule(self, client, auth):
        sub = auth("official", subdistrict="jingshan")
        assert (await client.post("/api/v1/evaluation-schemes", json={}, headers=sub)).status_code == 403
        assert (
            await client.put("/api/v1/fee-applications/guideline", json={}, headers={**sub, "If-Match": '"v0"'})
        ).status_code == 403
        assert (await client.post("/api/v1/operators/1/honours", json={}, headers=sub)).status_code == 403
        assert (await client.post("/api/v1/trainings/1/completion", headers=sub)).status_code == 403

    async def test_a_subdistrict_official_does_not_run_the_districts_contract_sweep(self, client, auth, clock):
        # The sweep expires and hands over every contract of the district, other subdistricts' included.
        c = await active_contract(client, auth)
        at(clock, "2027-01-01T00:30:00+08:00")
        resp = await client.post("/api/v1/contracts/expiry-sweep/runs", headers=auth("official", subdistrict="qianmen"))
        assert resp.status_code == 403
        assert (await client.get(f"/api/v1/contracts/{c['id']}", headers=auth("official"))).json()["status"] == "active"
        swept = await client.post("/api/v1/contracts/expiry-sweep/runs", headers=auth("official"))
        assert swept.json()["expired_contract_ids"] == [c["id"]]

    async def test_an_auditor_changes_nothing_even_when_put_on_a_panel(self, client, auth):
        auditor = auth("auditor", sub="auditor-qian")
        for method, path in (
            ("post", "/api/v1/selections/1/panel/declaration"),
            ("put", "/api/v1/selections/1/bids/1/scores"),
        ):
            assert (await client.request(method, path, json={}, headers=auditor)).status_code == 403

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("post", "/api/v1/operators"),
            ("post", "/api/v1/selections"),
            ("post", "/api/v1/contracts"),
            ("post", "/api/v1/evaluations"),
            ("post", "/api/v1/inspections"),
            ("post", "/api/v1/evaluations/1/appeal/decision"),
            ("post", "/api/v1/contracts/1/instalments/1/payment"),
            ("post", "/api/v1/evaluation-schemes"),
            ("post", "/api/v1/trainings"),
            ("post", "/api/v1/volunteer-teams"),
            ("post", "/api/v1/trainings/1/enrolments"),
            ("post", "/api/v1/volunteers/1/service-records"),
        ],
    )
    async def test_a_resident_gets_403_not_the_field_list(self, client, auth, method, path):
        resp = await client.request(method, path, json={}, headers=auth("resident"))
        assert resp.status_code == 403 and "errors" not in resp.json()


class TestASubdistrictOfficialActsWithinIt:
    """facilities-api says where each facility lies; a subdistrict official's contract or selection
    names only facilities of their subdistrict."""

    async def test_no_single_source_contract_for_another_subdistricts_facility(self, client, auth, facilities):
        facilities.subdistricts[300] = "longtan"
        op = await qualified_operator(client, auth("official"))
        sub = auth("official", subdistrict="jingshan")
        resp = await client.post(
            "/api/v1/contracts", json=contract_body(op["id"], facility_ids=[114, 300]), headers=sub
        )
        assert resp.status_code == 403, resp.text
        assert resp.json()["type"] == "/problems/facility-outside-subdistrict" and resp.json()["facility_ids"] == [300]
        assert (await client.get("/api/v1/contracts", headers=auth("official"))).json()["items"] == []
        mine = await client.post("/api/v1/contracts", json=contract_body(op["id"], facility_ids=[114]), headers=sub)
        assert mine.status_code == 201 and mine.json()["purchaser_subdistrict"] == "jingshan"

    async def test_no_contract_hands_over_the_districts_own_facility_in_their_area(self, client, auth, facilities):
        # The district library stands in jingshan, but it serves the whole district: it is the district's.
        facilities.levels[300] = "district"
        op = await qualified_operator(client, auth("official"))
        sub = auth("official", subdistrict="jingshan")
        resp = await client.post("/api/v1/contracts", json=contract_body(op["id"], facility_ids=[300]), headers=sub)
        assert resp.status_code == 403, resp.text
        assert resp.json()["facility_ids"] == [300]
        assert (await client.get("/api/v1/contracts", headers=auth("official"))).json()["items"] == []
        selection = await client.post("/api/v1/selections", json=selection_body(facility_ids=[300]), headers=sub)
        assert selection.status_code == 403
        district = await client.post(
            "/api/v1/contracts", json=contract_body(op["id"], facility_ids=[300]), headers=auth("official")
        )
        assert district.status_code == 201, district.text

    async def test_no_facility_of_another_subdistrict_is_added_to_a_draft(self, client, auth, facilities):
        facilities.subdistricts[300] = "longtan"
        op = await qualified_operator(client, auth("official"))
        sub = auth("official", subdistrict="jingshan")
        c = (await client.post("/api/v1/contracts", json=contract_body(op["id"]), headers=sub)).json()
        resp = await client.patch(
            f"/api/v1/contracts/{c['id']}", json={"facility_ids": [114, 300]}, headers={**sub, "If-Match": '"v1"'}
        )
        assert resp.status_code == 403
        assert (await client.get(f"/api/v1/contracts/{c['id']}", headers=sub)).json()["facility_ids"] == [114]

    async def test_no_activation_of_a_contract_holding_another_subdistricts_facility(self, client, auth, facilities):
        # Drawn up by the district with jingshan as purchaser, but for a longtan facility.
        facilities.subdistricts[300] = "longtan"
        op = await qualified_operator(client, auth("official"))
        c = await draft_contract(client, auth, op["id"], facility_ids=[300], purchaser_subdistrict="jingshan")
        sub = auth("official", subdistrict="jingshan")
        resp = await client.post(
            f"/api/v1/contracts/{c['id']}/status", json={"status": "active", "reason": "生效"}, headers=sub
        )
        assert resp.status_code == 403
        assert (await client.get(f"/api/v1/contracts/{c['id']}", headers=sub)).json()["status"] == "draft"
        assert (
            await client.get("/api/v1/events", params={"types": "contract.started"}, headers=auth("official"))
        ).json()["items"] == []

    async def test_no_selection_for_another_subdistricts_facility(self, client, auth, facilities):
        facilities.subdistricts[41] = "longtan"
        sub = auth("official", subdistrict="jingshan")
        resp = await client.post("/api/v1/selections", json=selection_body(), headers=sub)
        assert resp.status_code == 403 and resp.json()["facility_ids"] == [41]
        ok = await client.post("/api/v1/selections", json=selection_body(facility_ids=[39]), headers=sub)
        assert ok.status_code == 201
        patched = await client.patch(
            f"/api/v1/selections/{ok.json()['id']}",
            json={"facility_ids": [39, 41]},
            headers={**sub, "If-Match": '"v1"'},
        )
        assert patched.status_code == 403

    async def test_when_facilities_api_cannot_say_nothing_is_signed(self, client, auth, facilities_link):
        op = await qualified_operator(client, auth("official"))
        facilities_link.down = True
        resp = await client.post(
            "/api/v1/contracts", json=contract_body(op["id"]), headers=auth("official", subdistrict="jingshan")
        )
        assert resp.status_code == 503
