"""The account rules, each tried by the party who would gain by breaking it: a subdistrict official
reaching past its subdistrict, a disabled account's holder keeping its tokens, an attacker guessing
passwords from many addresses or probing which phone numbers are registered, a thief replaying a
refresh token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

DISTRICT = {"sub": "9001"}
JINGSHAN = {"sub": "9002", "subdistrict": "jingshan"}
PASSWORD = "a-long-password"


@pytest.fixture
def settings(settings):
    # The attacker of these tests rotates addresses: the per-address throttle is not what stops them.
    settings.auth_rate_limit_per_minute = 100_000
    return settings


async def register(gateway, **body):
    data = {"username": "li-hua", "password": PASSWORD, "display_name": "李华", **body}
    return await gateway.post("/api/v1/auth/register", json=data)


async def sign_in(gateway, username="li-hua", password=PASSWORD):
    return await gateway.post("/api/v1/auth/token", data={"username": username, "password": password})


async def staff(gateway, bearer, username, role="operator", **extra):
    body = {"username": username, "password": PASSWORD, "display_name": username, "role": role, **extra}
    if role == "operator":
        body.setdefault("operator_id", 3)
    resp = await gateway.post("/api/v1/users", json=body, headers=bearer("official", **DISTRICT))
    assert resp.status_code == 201, resp.text
    return resp.json()


def auth(tokens: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


class TestWhoSeesAccounts:
    async def test_a_subdistrict_official_sees_only_its_own_subdistricts_officials(self, gateway, bearer):
        await register(gateway, phone="13800138000")
        await staff(gateway, bearer, "op-staff")
        mine = await staff(gateway, bearer, "js-colleague", role="official", subdistrict="jingshan")
        await staff(gateway, bearer, "dhm-official", role="official", subdistrict="donghuamen")
        resp = await gateway.get("/api/v1/users", headers=bearer("official", **JINGSHAN))
        assert resp.status_code == 200, resp.text
        assert [u["username"] for u in resp.json()["items"]] == [mine["username"]]
        residents = await gateway.get(
            "/api/v1/users", params={"role": "resident"}, headers=bearer("official", **JINGSHAN)
        )
        assert residents.json()["items"] == []

    async def test_no_official_reads_a_residents_full_phone_in_the_list(self, gateway, bearer):
        await register(gateway, phone="13800138000")
        for who in (bearer("official", **DISTRICT), bearer("auditor", sub="9003")):
            items = (await gateway.get("/api/v1/users", params={"role": "resident"}, headers=who)).json()["items"]
            assert [u["phone"] for u in items] == ["138****8000"]

    async def test_a_district_official_finds_the_account_of_a_number_it_already_has(self, gateway, bearer):
        await register(gateway, phone="13800138000")
        await register(gateway, username="wang-wu", phone="13900139000")
        found = await gateway.get(
            "/api/v1/users", params={"phone": "13900139000"}, headers=bearer("official", **DISTRICT)
        )
        assert [u["username"] for u in found.json()["items"]] == ["wang-wu"]
        probe = await gateway.get(
            "/api/v1/users", params={"phone": "13900139000"}, headers=bearer("official", **JINGSHAN)
        )
        assert probe.status_code == 403

    async def test_operator_staff_and_residents_list_no_accounts(self, gateway, bearer):
        for who in (bearer("operator", operator_id=3), bearer("resident", sub="77")):
            assert (await gateway.get("/api/v1/users", headers=who)).status_code == 403


class TestGatesComeBeforeTheBody:
    @pytest.mark.parametrize(
        ("method", "path", "who"),
        [
            ("POST", "/api/v1/users", {"role": "resident", "sub": "77"}),
            ("POST", "/api/v1/users", {"role": "official", **JINGSHAN}),
            ("POST", "/api/v1/users/1/disable", {"role": "official", **JINGSHAN}),
            ("POST", "/api/v1/users/1/enable", {"role": "operator", "operator_id": 3}),
            ("POST", "/api/v1/api-keys", {"role": "resident", "sub": "77"}),
            ("POST", "/api/v1/api-keys", {"role": "official", **JINGSHAN}),
            ("POST", "/api/v1/api-keys", {"role": "auditor", "sub": "9003"}),
        ],
    )
    async def test_the_wrong_caller_posting_nothing_gets_403_not_the_field_list(
        self, gateway, bearer, method, path, who
    ):
        role = who.pop("role")
        resp = await gateway.request(method, path, json={}, headers=bearer(role, **who))
        assert resp.status_code == 403, resp.text
        assert "errors" not in resp.json()

    async def test_every_own_route_of_the_gateway_documents_its_gate(self, gateway):
        doc = (await gateway.get("/api/v1/openapi.json")).json()
        public = {
            ("post", "/api/v1/auth/register"),
            ("post", "/api/v1/auth/token"),
            ("post", "/api/v1/auth/refresh"),
            ("post", "/api/v1/auth/logout"),
        }
        for path, item in doc["paths"].items():
            if not path.startswith(("/api/v1/users", "/api/v1/me", "/api/v1/api-keys", "/api/v1/auth")):
                continue
            for method, op in item.items():
                gate = op["x-authorization"]
                assert gate["signed_in"] is ((method, path) not in public), (method, path, gate)
                assert gate["scope"] is None, "no API key manages accounts or keys"


class TestDisablingAnAccount:
    async def test_a_disabled_accounts_tokens_stop_at_once_and_it_cannot_sign_in(self, gateway, bearer):
        member = await staff(gateway, bearer, "op-staff")
        tokens = (await sign_in(gateway, "op-staff")).json()
        assert (await gateway.get("/api/v1/me", headers=auth(tokens))).status_code == 200

        disabled = await gateway.post(
            f"/api/v1/users/{member['id']}/disable", json={"reason": "离职"}, headers=bearer("official", **DISTRICT)
        )
        assert disabled.status_code == 200, disabled.text
        assert disabled.json()["active"] is False and disabled.json()["disabled_reason"] == "离职"

        me = await gateway.get("/api/v1/me", headers=auth(tokens))
        assert me.status_code == 401 and "withdrawn" in me.json()["detail"]
        # Refused at the edge: the (unreachable) service behind it is never asked.
        proxied = await gateway.get("/api/v1/contracts", headers=auth(tokens))
        assert proxied.status_code == 401
        refreshed = await gateway.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert refreshed.status_code == 401
        again = await sign_in(gateway, "op-staff")
        assert again.status_code == 403 and again.json()["type"] == "/problems/account-disabled"

    async def test_enabled_again_it_signs_in_but_its_old_tokens_stay_refused(self, gateway, bearer):
        member = await staff(gateway, bearer, "op-staff")
        old = (await sign_in(gateway, "op-staff")).json()
        official = bearer("official", **DISTRICT)
        await gateway.post(f"/api/v1/users/{member['id']}/disable", json={"reason": "账号疑似被盗"}, headers=official)
        enabled = await gateway.post(
            f"/api/v1/users/{member['id']}/enable", json={"reason": "已核实本人"}, headers=official
        )
        assert enabled.status_code == 200 and enabled.json()["active"] is True
        new = (await sign_in(gateway, "op-staff")).json()
        assert (await gateway.get("/api/v1/me", headers=auth(new))).status_code == 200
        assert (await gateway.get("/api/v1/me", headers=auth(old))).status_code == 401
        assert (
            await gateway.post("/api/v1/auth/refresh", json={"refresh_token": old["refresh_token"]})
        ).status_code == 401

    async def test_every_replica_refuses_the_token_within_the_stated_bound(
        self, gateway, bearer, app, settings, sessionmaker
    ):
        from gateway.identity.revocation import AccessRevocations

        member = await staff(gateway, bearer, "op-staff")
        token = (await sign_in(gateway, "op-staff")).json()["access_token"]
        now = [1000.0]
        other_replica = AccessRevocations(
            sessionmaker,
            access_ttl_s=settings.access_token_ttl_s,
            refresh_s=settings.access_revocation_refresh_s,
            monotonic=lambda: now[0],
        )
        assert await other_replica.refuses(token) is False
        await gateway.post(
            f"/api/v1/users/{member['id']}/disable", json={"reason": "离职"}, headers=bearer("official", **DISTRICT)
        )
        now[0] += settings.access_revocation_refresh_s - 0.1
        assert await other_replica.refuses(token) is False, "still within the bound: its list is not yet stale"
        now[0] += 0.1
        assert await other_replica.refuses(token) is True

    async def test_a_subdistrict_official_cannot_disable_even_its_own_subdistricts_staff(self, gateway, bearer):
        colleague = await staff(gateway, bearer, "js-colleague", role="official", subdistrict="jingshan")
        resp = await gateway.post(
            f"/api/v1/users/{colleague['id']}/disable", json={"reason": "越权"}, headers=bearer("official", **JINGSHAN)
        )
        assert resp.status_code == 403
        assert (await sign_in(gateway, "js-colleague")).status_code == 200

    async def test_the_reason_is_required_and_an_official_cannot_disable_itself(self, gateway, bearer):
        member = await staff(gateway, bearer, "dist-official", role="official")
        official = bearer("official", **DISTRICT)
        assert (
            await gateway.post(f"/api/v1/users/{member['id']}/disable", json={}, headers=official)
        ).status_code == 422
        own = (await sign_in(gateway, "dist-official")).json()
        itself = await gateway.post(f"/api/v1/users/{member['id']}/disable", json={"reason": "测试"}, headers=auth(own))
        assert itself.status_code == 409


class TestSignInLockout:
    async def test_after_five_failures_even_the_right_password_waits_and_the_wait_doubles(self, gateway, bearer, clock):
        await register(gateway)
        clock.fixed = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
        codes = [(await sign_in(gateway, password=f"guess-{i}")).status_code for i in range(5)]
        assert codes == [401] * 5
        right, wrong = await sign_in(gateway), await sign_in(gateway, password="guess-6")
        assert right.status_code == wrong.status_code == 429
        assert right.headers["retry-after"] == wrong.headers["retry-after"] == "60"
        assert right.json() == {**wrong.json(), "request_id": right.json().get("request_id")}

        clock.fixed += timedelta(seconds=61)
        assert (await sign_in(gateway, password="guess-7")).status_code == 401
        locked = await sign_in(gateway)
        assert locked.status_code == 429 and locked.headers["retry-after"] == "120"

        clock.fixed += timedelta(seconds=121)
        assert (await sign_in(gateway)).status_code == 200
        assert (await sign_in(gateway, password="guess-8")).status_code == 401, "a success starts the count again"
        assert (await sign_in(gateway)).status_code == 200

    async def test_failures_a_day_old_no_longer_count_and_are_not_kept(self, gateway, clock, sessionmaker):
        await register(gateway)
        clock.fixed = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
        for i in range(4):
            await sign_in(gateway, password=f"guess-{i}")
        await sign_in(gateway, "nobody-at-all", "guess-x")
        clock.fixed += timedelta(hours=25)
        for i in range(4):
            assert (await sign_in(gateway, password=f"guess-{i}")).status_code == 401
        assert (await sign_in(gateway)).status_code == 200, "four old and four new failures are not five in a row"
        await sign_in(gateway, "somebody-else", "guess-y")
        async with sessionmaker() as session:
            kept = (await session.execute(text("SELECT count(*) FROM sign_in_failure"))).scalar_one()
        assert kept == 1, "only the fresh unknown login's count is kept"

    async def test_the_lock_is_kept_in_the_database_across_restarts_and_replicas(self, gateway, clock, replica):
        await register(gateway)
        clock.fixed = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
        for i in range(5):
            await sign_in(gateway, password=f"guess-{i}")
        async with replica() as other:
            resp = await sign_in(other)
            assert resp.status_code == 429 and resp.headers["retry-after"] == "60"

    async def test_a_phone_number_without_an_account_locks_the_same_way(self, gateway, clock):
        await register(gateway, phone="13800138000")
        clock.fixed = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
        answers = {}
        for login in ("13800138000", "13900139000"):
            for i in range(5):
                assert (await sign_in(gateway, login, f"guess-{i}")).status_code == 401
            locked = await sign_in(gateway, login, PASSWORD)
            answers[login] = (locked.status_code, locked.headers["retry-after"], locked.json()["detail"])
        assert answers["13800138000"] == answers["13900139000"] == (429, "60", answers["13800138000"][2])

    async def test_a_lock_reached_through_the_user_name_does_not_tell_whose_phone_a_number_is(self, gateway, clock):
        await register(gateway, phone="13800138000")
        clock.fixed = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
        for i in range(5):
            assert (await sign_in(gateway, "li-hua", f"guess-{i}")).status_code == 401
        assert (await sign_in(gateway, "li-hua", "guess-5")).status_code == 429

        # The prober tries the account's phone and a number nobody has: the same answer for both.
        owned = await sign_in(gateway, "13800138000", "guess-6")
        free = await sign_in(gateway, "13900139000", "guess-6")

        assert (
            (owned.status_code, owned.json()["detail"])
            == (free.status_code, free.json()["detail"])
            == (401, free.json()["detail"])
        )
        # The account stays locked whichever login string names it: not even the right password gets in.
        assert (await sign_in(gateway, "13800138000", PASSWORD)).status_code == 401
        clock.fixed += timedelta(seconds=61)
        assert (await sign_in(gateway, "13800138000", PASSWORD)).status_code == 200

    async def test_the_current_password_cannot_be_guessed_with_a_stolen_access_token(self, gateway, clock):
        await register(gateway)
        tokens = (await sign_in(gateway)).json()
        clock.fixed = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
        for i in range(5):
            resp = await gateway.post(
                "/api/v1/me/password",
                json={"current_password": f"guess-{i}", "new_password": "another-long-one"},
                headers=auth(tokens),
            )
            assert resp.status_code == 403
        resp = await gateway.post(
            "/api/v1/me/password",
            json={"current_password": PASSWORD, "new_password": "another-long-one"},
            headers=auth(tokens),
        )
        assert resp.status_code == 429


class TestRegistrationRevealsNoAccount:
    async def test_registering_a_taken_phone_answers_exactly_as_a_free_one(self, gateway):
        first = await register(gateway, username="owner", phone="13800138000")
        probe = await register(gateway, username="prober", phone="13800138000", password="second-long-secret")
        fresh = await register(gateway, username="newcomer", phone="13900139000")
        assert first.status_code == probe.status_code == fresh.status_code == 202
        assert first.json() == probe.json() == fresh.json()
        assert "id" not in probe.json()
        # The real owner keeps the account; the prober got nothing.
        assert (await sign_in(gateway, "13800138000")).status_code == 200
        assert (await sign_in(gateway, "13800138000", "second-long-secret")).status_code == 401
        assert (await sign_in(gateway, "prober", "second-long-secret")).status_code == 401


class TestPasswordPolicy:
    async def test_sign_up_refuses_a_common_password(self, gateway):
        resp = await register(gateway, password="password123")
        assert resp.status_code == 422
        assert resp.headers["content-type"] == "application/problem+json"
        assert resp.json()["errors"] == [
            {"field": "password", "code": "common-password", "message": resp.json()["errors"][0]["message"]}
        ]
        assert (await sign_in(gateway, password="password123")).status_code == 401

    @pytest.mark.parametrize("password", ["qwertyuiop", "88888888", "li-hua-2026"])
    async def test_weak_passwords_refused_at_sign_up(self, gateway, password):
        resp = await register(gateway, password=password)
        assert resp.status_code == 422, password
        assert resp.json()["errors"][0]["field"] == "password"

    async def test_staff_accounts_refuse_a_common_password(self, gateway, bearer):
        resp = await gateway.post(
            "/api/v1/users",
            json={
                "username": "op-x",
                "password": "1qaz2wsx",
                "display_name": "x",
                "role": "operator",
                "operator_id": 3,
            },
            headers=bearer("official", **DISTRICT),
        )
        assert resp.status_code == 422 and resp.json()["errors"][0]["code"] == "common-password"

    async def test_a_password_change_refuses_a_common_one_and_ends_every_session(self, gateway):
        await register(gateway)
        tokens = (await sign_in(gateway)).json()
        weak = await gateway.post(
            "/api/v1/me/password",
            json={"current_password": PASSWORD, "new_password": "iloveyou1"},
            headers=auth(tokens),
        )
        assert weak.status_code == 422 and weak.json()["errors"][0]["field"] == "new_password"
        changed = await gateway.post(
            "/api/v1/me/password",
            json={"current_password": PASSWORD, "new_password": "another-long-one"},
            headers=auth(tokens),
        )
        assert changed.status_code == 204, changed.text
        assert (await gateway.get("/api/v1/me", headers=auth(tokens))).status_code == 401
        assert (
            await gateway.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        ).status_code == 401
        assert (await sign_in(gateway)).status_code == 401
        assert (await sign_in(gateway, password="another-long-one")).status_code == 200


class TestRefreshTokenFamilies:
    async def test_two_tabs_refreshing_at_once_do_not_sign_the_resident_out(self, gateway, clock):
        clock.fixed = datetime.now(UTC)
        await register(gateway)
        shared = (await sign_in(gateway)).json()
        first = await gateway.post("/api/v1/auth/refresh", json={"refresh_token": shared["refresh_token"]})
        assert first.status_code == 200
        clock.fixed += timedelta(seconds=2)

        second = await gateway.post("/api/v1/auth/refresh", json={"refresh_token": shared["refresh_token"]})

        assert second.status_code == 401 and second.json()["type"] != "/problems/refresh-token-reused"
        # The tab that won keeps its session: nothing of the family was revoked.
        assert (await gateway.get("/api/v1/me", headers=auth(first.json()))).status_code == 200
        assert (
            await gateway.post("/api/v1/auth/refresh", json={"refresh_token": first.json()["refresh_token"]})
        ).status_code == 200

    async def test_a_signed_out_token_presented_again_revokes_nothing_else(self, gateway, clock):
        clock.fixed = datetime.now(UTC)
        await register(gateway)
        old = (await sign_in(gateway)).json()
        assert (
            await gateway.post("/api/v1/auth/logout", json={"refresh_token": old["refresh_token"]})
        ).status_code in (200, 204)
        current = (await sign_in(gateway)).json()
        clock.fixed += timedelta(minutes=5)

        assert (
            await gateway.post("/api/v1/auth/refresh", json={"refresh_token": old["refresh_token"]})
        ).status_code == 401

        assert (await gateway.get("/api/v1/me", headers=auth(current))).status_code == 200

    async def test_a_replayed_refresh_token_makes_the_whole_family_useless(self, gateway, clock):
        clock.fixed = datetime.now(UTC)
        await register(gateway)
        stolen = (await sign_in(gateway)).json()
        elsewhere = (await sign_in(gateway)).json()  # the same person on another device
        first = await gateway.post("/api/v1/auth/refresh", json={"refresh_token": stolen["refresh_token"]})
        assert first.status_code == 200
        clock.fixed += timedelta(minutes=5)
        replay = await gateway.post("/api/v1/auth/refresh", json={"refresh_token": stolen["refresh_token"]})
        assert replay.status_code == 401
        # Whoever refreshed first (the owner or the thief), the tokens they got are dead too.
        winner = first.json()
        assert (
            await gateway.post("/api/v1/auth/refresh", json={"refresh_token": winner["refresh_token"]})
        ).status_code == 401
        assert (await gateway.get("/api/v1/me", headers=auth(winner))).status_code == 401
        # The other device's own sign-in is another family: it refreshes and goes on.
        other = await gateway.post("/api/v1/auth/refresh", json={"refresh_token": elsewhere["refresh_token"]})
        assert other.status_code == 200
        assert (await gateway.get("/api/v1/me", headers=auth(other.json()))).status_code == 200
