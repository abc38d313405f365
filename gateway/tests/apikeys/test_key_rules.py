"""API keys hold to the one scope table, and each party manages only the keys that are its own:
operator staff their operator's, the district every key. Tried by the operator's staff reaching for
more than its role, and by a subdistrict official reaching for what is the district's."""

from __future__ import annotations

import hashlib

import pytest

from gateway.apikeys.models import ApiKey
from service_kit.auth import TokenVerifier
from service_kit.clock import utcnow
from service_kit.scopes import SCOPES, issuable_to

DISTRICT = {"sub": "9001"}
JINGSHAN = {"sub": "9002", "subdistrict": "jingshan"}


async def issue(gateway, headers, scopes, name="k"):
    return await gateway.post("/api/v1/api-keys", json={"name": name, "scopes": scopes}, headers=headers)


class TestOneScopeTable:
    async def test_the_openapi_offers_exactly_the_tables_scopes_with_their_descriptions(self, gateway):
        doc = (await gateway.get("/api/v1/openapi.json")).json()
        item = doc["components"]["schemas"]["ApiKeyCreate"]["properties"]["scopes"]["items"]
        assert item["enum"] == list(SCOPES)
        assert item["x-enum-descriptions"] == {name: spec.description for name, spec in SCOPES.items()}

    async def test_a_retired_scope_cannot_be_issued(self, gateway, bearer):
        for scope in ("facilities:read", "open311:submit"):
            assert (await issue(gateway, bearer("operator", operator_id=5), [scope])).status_code == 422
            assert (await issue(gateway, bearer("official", **DISTRICT), [scope])).status_code == 422

    async def test_operator_staff_issue_every_operator_scope(self, gateway, bearer):
        resp = await issue(gateway, bearer("operator", operator_id=5), issuable_to("operator"))
        assert resp.status_code == 201, resp.text
        assert resp.json()["scopes"] == sorted(issuable_to("operator")) and resp.json()["operator_id"] == 5

    @pytest.mark.parametrize("scope", issuable_to("integration"))
    async def test_operator_staff_cannot_grant_their_key_an_integration_scope(self, gateway, bearer, scope):
        resp = await issue(gateway, bearer("operator", operator_id=5), ["operator:read", scope])
        assert resp.status_code == 403, resp.text
        assert scope in resp.json()["detail"]

    async def test_an_integration_key_carries_no_operator_scope(self, gateway, bearer):
        resp = await issue(gateway, bearer("official", **DISTRICT), ["events:read", "checkins:write"])
        assert resp.status_code == 403

    async def test_a_stored_key_with_scopes_off_the_table_is_held_to_the_table(
        self, gateway, app, settings, sessionmaker
    ):
        async with sessionmaker() as session:
            session.add(
                ApiKey(
                    prefix="0ld0ld00",
                    secret_hash=hashlib.sha256(b"secret").hexdigest(),
                    name="old",
                    role="operator",
                    operator_id=5,
                    scopes=["facilities:read", "events:read", "operator:read"],
                    created_by="1",
                    created_at=utcnow(),
                )
            )
            await session.commit()
        token = await app.state.apikeys.token_for("cok_0ld0ld00_secret")
        assert (await TokenVerifier(settings).verify(token)).scopes == {"operator:read"}


class TestWhoIssuesAndRevokes:
    async def test_a_subdistrict_official_cannot_issue_an_integration_key(self, gateway, bearer):
        resp = await issue(gateway, bearer("official", **JINGSHAN), ["events:read"])
        assert resp.status_code == 403
        listed = await gateway.get("/api/v1/api-keys", headers=bearer("official", **DISTRICT))
        assert listed.json() == []

    async def test_a_subdistrict_official_cannot_revoke_other_peoples_keys(self, gateway, bearer):
        key = (await issue(gateway, bearer("operator", operator_id=5), ["checkins:write"])).json()
        resp = await gateway.delete(f"/api/v1/api-keys/{key['id']}", headers=bearer("official", **JINGSHAN))
        assert resp.status_code == 403
        assert (await gateway.get("/api/v1/api-keys", headers=bearer("operator", operator_id=5))).json()[0][
            "revoked_at"
        ] is None

    async def test_operator_staff_revoke_their_own_operators_keys_only(self, gateway, bearer):
        mine = (await issue(gateway, bearer("operator", operator_id=5), ["checkins:write"])).json()
        theirs = (await issue(gateway, bearer("operator", operator_id=6), ["checkins:write"])).json()
        integration = (await issue(gateway, bearer("official", **DISTRICT), ["events:read"])).json()
        me = bearer("operator", operator_id=5, sub="55")
        assert (await gateway.delete(f"/api/v1/api-keys/{theirs['id']}", headers=me)).status_code == 404
        assert (await gateway.delete(f"/api/v1/api-keys/{integration['id']}", headers=me)).status_code == 404
        assert (await gateway.delete(f"/api/v1/api-keys/{mine['id']}", headers=me)).status_code == 204
        assert [k["id"] for k in (await gateway.get("/api/v1/api-keys", headers=me)).json()] == [mine["id"]]

    async def test_a_district_official_revokes_any_key(self, gateway, bearer):
        key = (await issue(gateway, bearer("operator", operator_id=5), ["checkins:write"])).json()
        assert (
            await gateway.delete(f"/api/v1/api-keys/{key['id']}", headers=bearer("official", **DISTRICT))
        ).status_code == 204
        assert (await gateway.get("/api/v1/me", headers={"X-API-Key": key["key"]})).status_code == 401

    async def test_auditors_read_every_key_and_change_none(self, gateway, bearer):
        key = (await issue(gateway, bearer("operator", operator_id=5), ["checkins:write"])).json()
        auditor = bearer("auditor", sub="9003")
        assert [k["id"] for k in (await gateway.get("/api/v1/api-keys", headers=auditor)).json()] == [key["id"]]
        assert (await gateway.delete(f"/api/v1/api-keys/{key['id']}", headers=auditor)).status_code == 403
        assert (await issue(gateway, auditor, ["events:read"])).status_code == 403

    async def test_a_key_cannot_issue_or_revoke_keys(self, gateway, bearer):
        key = (await issue(gateway, bearer("operator", operator_id=5), issuable_to("operator"))).json()
        as_key = {"X-API-Key": key["key"]}
        assert (await issue(gateway, as_key, ["checkins:write"])).status_code == 403
        assert (await gateway.delete(f"/api/v1/api-keys/{key['id']}", headers=as_key)).status_code == 403
