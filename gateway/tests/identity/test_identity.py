"""Sign-up, sign-in, refresh, staff accounts and API keys, as their users meet them."""

from __future__ import annotations

import jwt

from service_kit.auth import TokenVerifier


async def register(gateway, **body):
    data = {"username": "li-hua", "password": "a-long-password", "display_name": "李华", **body}
    return await gateway.post("/api/v1/auth/register", json=data)


async def sign_in(gateway, username="li-hua", password="a-long-password"):
    return await gateway.post("/api/v1/auth/token", data={"username": username, "password": password})


class TestRegister:
    async def test_resident_signs_up_and_signs_in_with_username_or_phone(self, gateway, settings):
        created = await register(gateway, phone="13800138000")
        assert created.status_code == 202, created.text
        for login in ("li-hua", "13800138000"):
            resp = await sign_in(gateway, username=login)
            assert resp.status_code == 200, resp.text
            body = resp.json()
            assert body["token_type"] == "bearer" and body["expires_in"] == settings.access_token_ttl_s
            principal = await TokenVerifier(settings).verify(body["access_token"])
            assert principal.role == "resident" and principal.name == "李华"
        me = await gateway.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
        assert me.json()["phone"] == "13800138000", "the holder sees their own number"

    async def test_taken_username_is_409(self, gateway):
        await register(gateway)
        again = await register(gateway)
        assert again.status_code == 409
        assert again.headers["content-type"] == "application/problem+json"

    async def test_needs_a_username_or_phone(self, gateway):
        resp = await gateway.post("/api/v1/auth/register", json={"password": "a-long-password", "display_name": "x"})
        assert resp.status_code == 422

    async def test_short_password_names_the_field(self, gateway):
        resp = await register(gateway, password="short")
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["field"] == "password"

    async def test_a_resident_cannot_register_as_official(self, gateway):
        resp = await register(gateway, role="official")
        assert resp.status_code == 422


class TestSignIn:
    async def test_wrong_password_is_401_problem(self, gateway):
        await register(gateway)
        resp = await sign_in(gateway, password="wrong-password")
        assert resp.status_code == 401
        assert resp.json()["detail"] == "The user name or password is wrong."

    async def test_unknown_user_gets_the_same_answer(self, gateway):
        resp = await sign_in(gateway, username="nobody")
        assert resp.status_code == 401
        assert resp.json()["detail"] == "The user name or password is wrong."

    async def test_me_describes_the_signed_in_account(self, gateway):
        await register(gateway)
        token = (await sign_in(gateway)).json()["access_token"]
        me = await gateway.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200
        assert me.json()["username"] == "li-hua"

    async def test_me_without_a_token_is_401(self, gateway):
        resp = await gateway.get("/api/v1/me")
        assert resp.status_code == 401

    async def test_refresh_rotates_and_a_used_refresh_token_is_refused(self, gateway):
        await register(gateway)
        first = (await sign_in(gateway)).json()
        second = await gateway.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert second.status_code == 200
        assert second.json()["refresh_token"] != first["refresh_token"]
        replay = await gateway.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert replay.status_code == 401

    async def test_logout_revokes_the_refresh_token(self, gateway):
        await register(gateway)
        tokens = (await sign_in(gateway)).json()
        assert (
            await gateway.post("/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]})
        ).status_code == 204
        resp = await gateway.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert resp.status_code == 401

    async def test_an_access_token_is_not_a_refresh_token(self, gateway):
        await register(gateway)
        tokens = (await sign_in(gateway)).json()
        resp = await gateway.post("/api/v1/auth/refresh", json={"refresh_token": tokens["access_token"]})
        assert resp.status_code == 401

    async def test_sign_in_attempts_are_throttled(self, gateway, settings):
        codes = [
            (await sign_in(gateway, username="nobody")).status_code for _ in range(settings.auth_rate_limit_per_minute)
        ]
        assert codes[-1] == 429, codes
        assert codes[0] == 401


class TestStaffAccounts:
    async def test_district_official_creates_operator_staff(self, gateway, bearer, settings):
        resp = await gateway.post(
            "/api/v1/users",
            json={
                "username": "op-staff",
                "password": "a-long-password",
                "display_name": "运营员",
                "role": "operator",
                "operator_id": 3,
            },
            headers=bearer("official"),
        )
        assert resp.status_code == 201, resp.text
        token = (await sign_in(gateway, username="op-staff")).json()["access_token"]
        claims = jwt.decode(token, options={"verify_signature": False})
        assert claims["role"] == "operator" and claims["operator_id"] == 3

    async def test_subdistrict_official_cannot_create_staff(self, gateway, bearer):
        resp = await gateway.post(
            "/api/v1/users",
            json={"username": "x-staff", "password": "a-long-password", "display_name": "x", "role": "auditor"},
            headers=bearer("official", subdistrict="jingshan"),
        )
        assert resp.status_code == 403

    async def test_operator_staff_needs_an_operator(self, gateway, bearer):
        resp = await gateway.post(
            "/api/v1/users",
            json={"username": "y-staff", "password": "a-long-password", "display_name": "y", "role": "operator"},
            headers=bearer("official"),
        )
        assert resp.status_code == 422


async def key_principal(app, settings, key: str):
    """What the edge turns a key into: the token's principal, as every service verifies it."""
    token = await app.state.apikeys.token_for(key)
    assert token is not None
    return await TokenVerifier(settings).verify(token)


class TestApiKeys:
    async def test_official_issues_a_key_that_signs_in_as_integration(self, gateway, bearer, app, settings):
        created = await gateway.post(
            "/api/v1/api-keys", json={"name": "12345 hotline", "scopes": ["events:read"]}, headers=bearer("official")
        )
        assert created.status_code == 201, created.text
        key = created.json()["key"]
        principal = await key_principal(app, settings, key)
        assert principal.role == "integration" and principal.name == "12345 hotline"
        assert principal.scopes == {"events:read"}
        # A key is not a person: it has no account to describe.
        me = await gateway.get("/api/v1/me", headers={"X-API-Key": key})
        assert me.status_code == 403, me.text
        assert "events:read" in me.json()["detail"]

    async def test_operator_key_is_bound_to_its_operator(self, gateway, bearer, app, settings):
        created = await gateway.post(
            "/api/v1/api-keys",
            json={"name": "ticketing", "scopes": ["checkins:write"]},
            headers=bearer("operator", operator_id=5),
        )
        assert created.status_code == 201
        principal = await key_principal(app, settings, created.json()["key"])
        assert principal.role == "operator" and principal.operator_id == 5 and principal.scopes == {"checkins:write"}

    async def test_operator_cannot_grant_integration_scopes(self, gateway, bearer):
        resp = await gateway.post(
            "/api/v1/api-keys",
            json={"name": "x", "scopes": ["webhooks:manage"]},
            headers=bearer("operator", operator_id=5),
        )
        assert resp.status_code == 403

    async def test_residents_cannot_issue_keys(self, gateway, bearer):
        resp = await gateway.post(
            "/api/v1/api-keys", json={"name": "x", "scopes": ["events:read"]}, headers=bearer("resident")
        )
        assert resp.status_code == 403

    async def test_revoked_or_unknown_key_is_401(self, gateway, bearer):
        created = (
            await gateway.post(
                "/api/v1/api-keys", json={"name": "k", "scopes": ["events:read"]}, headers=bearer("official")
            )
        ).json()
        assert (
            await gateway.delete(f"/api/v1/api-keys/{created['id']}", headers=bearer("official"))
        ).status_code == 204
        resp = await gateway.get("/api/v1/me", headers={"X-API-Key": created["key"]})
        assert resp.status_code == 401
        bogus = await gateway.get("/api/v1/me", headers={"X-API-Key": "cok_00000000_nope"})
        assert bogus.status_code == 401
