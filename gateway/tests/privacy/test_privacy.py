"""A resident's export and deletion of their account, tried by the resident and by those who would
gain from reading or erasing someone else's data."""

from __future__ import annotations

import httpx
import pytest_asyncio

from gateway.main import create_app
from service_kit.app import start_runtime, stop_runtime
from service_kit.testing import rolled_back_sessionmaker

PASSWORD = "a-long-password"


async def register(gateway, username="li-hua", phone="13800138000", password=PASSWORD):
    resp = await gateway.post(
        "/api/v1/auth/register",
        json={"username": username, "phone": phone, "password": password, "display_name": "李华"},
    )
    # Sign-up answers alike whether the phone had an account or not; the account is read at /me.
    assert resp.status_code == 202, resp.text


async def sign_in(gateway, username="li-hua", password=PASSWORD):
    return await gateway.post("/api/v1/auth/token", data={"username": username, "password": password})


async def signed_in(gateway, username="li-hua", phone="13800138000", password=PASSWORD):
    await register(gateway, username, phone, password)
    tokens = (await sign_in(gateway, username, password)).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    account = (await gateway.get("/api/v1/me", headers=headers)).json()
    return account, tokens, headers


async def delete_me(gateway, headers, password=PASSWORD):
    return await gateway.request("DELETE", "/api/v1/me", json={"password": password}, headers=headers)


class TestDeletion:
    async def test_the_account_is_anonymised_its_tokens_revoked_and_the_deletion_announced(self, gateway, bearer):
        account, tokens, headers = await signed_in(gateway)

        resp = await delete_me(gateway, headers)

        assert resp.status_code == 204, resp.text
        assert (await sign_in(gateway)).status_code == 401
        assert (await sign_in(gateway, "13800138000")).status_code == 401
        refreshed = await gateway.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert refreshed.status_code == 401
        users = (await gateway.get("/api/v1/users?role=resident", headers=bearer("official", sub="9001"))).json()[
            "items"
        ]
        row = next(u for u in users if u["id"] == account["id"])
        assert row["username"] is None and row["phone"] is None and row["display_name"] != "李华"
        assert row["active"] is False
        feed = await gateway.get(
            "/api/v1/identity/events", headers=bearer("service", sub="service:feedback-api", name="feedback-api")
        )
        assert feed.status_code == 200, feed.text
        deleted = [e for e in feed.json()["items"] if e["type"] == "account.deleted"]
        assert deleted[-1]["data"] == {"account_id": str(account["id"])}
        assert deleted[-1]["source"] == "gateway"

    async def test_its_access_token_stops_at_once(self, gateway):
        _, _, headers = await signed_in(gateway)
        assert (await gateway.get("/api/v1/me", headers=headers)).status_code == 200

        deleted = await delete_me(gateway, headers)
        assert deleted.status_code == 204, deleted.text

        assert (await gateway.get("/api/v1/me", headers=headers)).status_code == 401
        assert (await gateway.get("/api/v1/me/personal-data", headers=headers)).status_code == 401

    async def test_no_official_can_bring_a_deleted_account_back(self, gateway, bearer):
        account, _, headers = await signed_in(gateway)
        assert (await delete_me(gateway, headers)).status_code == 204
        official = bearer("official", sub="9001")

        enabled = await gateway.post(
            f"/api/v1/users/{account['id']}/enable", json={"reason": "误删恢复"}, headers=official
        )

        assert enabled.status_code == 409 and enabled.json()["type"] == "/problems/account-deleted"
        assert (await gateway.get("/api/v1/me", headers=headers)).status_code == 401

    async def test_a_borrowed_token_cannot_guess_the_password(self, gateway):
        _, _, headers = await signed_in(gateway)
        answers = [(await delete_me(gateway, headers, password=f"guess-number-{n}")).status_code for n in range(6)]

        assert answers[:5] == [422] * 5
        assert answers[5] == 429
        # Locked, the right password is refused too, and the account stays.
        locked = await delete_me(gateway, headers)
        assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
        assert (await gateway.get("/api/v1/me", headers=headers)).status_code == 200

    async def test_the_phone_and_user_name_are_free_again(self, gateway):
        _, _, headers = await signed_in(gateway)
        assert (await delete_me(gateway, headers)).status_code == 204
        again = await gateway.post(
            "/api/v1/auth/register",
            json={"username": "li-hua", "phone": "13800138000", "password": PASSWORD, "display_name": "新人"},
        )
        assert again.status_code == 202, again.text
        assert (await sign_in(gateway)).status_code == 200, "a new account under the freed name and number"

    async def test_a_wrong_password_deletes_nothing(self, gateway, bearer):
        _, _, headers = await signed_in(gateway)
        resp = await delete_me(gateway, headers, password="not-the-password")
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["field"] == "password"
        assert (await sign_in(gateway)).status_code == 200
        feed = (await gateway.get("/api/v1/identity/events", headers=bearer("official", sub="9001"))).json()
        assert not [e for e in feed["items"] if e["type"] == "account.deleted"]

    async def test_another_resident_cannot_delete_someone_elses_account(self, gateway):
        await signed_in(gateway)
        _, _, other = await signed_in(gateway, "wang-wu", "13900139000", "another-long-secret")
        # The other resident knows li-hua's password but holds only their own session: it deletes nothing of li-hua's.
        resp = await delete_me(gateway, other)
        assert resp.status_code == 422
        assert (await sign_in(gateway)).status_code == 200

    async def test_staff_and_keys_cannot_delete_through_this_route(self, gateway, bearer):
        for headers in (bearer("official", sub="9001"), bearer("operator", operator_id=1), bearer("auditor")):
            resp = await gateway.request("DELETE", "/api/v1/me", json={}, headers=headers)
            assert resp.status_code == 403, "refused before the body is read"
        key_token = bearer("integration", sub="apikey:7", scopes=["events:read"])
        assert (await delete_me(gateway, key_token)).status_code == 403

    async def test_a_deleted_account_cannot_be_deleted_twice(self, gateway, bearer):
        _, _, headers = await signed_in(gateway)
        assert (await delete_me(gateway, headers)).status_code == 204
        # Its token stopped with the account: nothing to delete twice.
        assert (await delete_me(gateway, headers)).status_code == 401
        feed = (await gateway.get("/api/v1/identity/events", headers=bearer("official", sub="9001"))).json()
        assert len([e for e in feed["items"] if e["type"] == "account.deleted"]) == 1

    async def test_residents_and_operators_cannot_read_the_feed(self, gateway, bearer):
        for headers in (bearer("resident"), bearer("operator", operator_id=1)):
            assert (await gateway.get("/api/v1/identity/events", headers=headers)).status_code == 403


@pytest_asyncio.fixture
async def services_answering(settings, engine):
    """The gateway, with every service answering its personal-data section for the token it is sent."""
    seen: list[tuple[str, str]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/openapi.json":  # the gateway's routing table
            return httpx.Response(200, json={"openapi": "3.1.0", "paths": {}})
        seen.append((request.url.host + request.url.path, request.headers.get("authorization", "")))
        return httpx.Response(200, json={"held": True, "from": request.url.host})

    settings.facilities_url = "http://facilities.test"
    settings.operators_url = "http://operators.test"
    settings.feedback_url = "http://feedback.test"
    app = create_app(settings)
    inner = app
    async with rolled_back_sessionmaker(engine) as maker:
        inner.state.engine = engine
        inner.state.sessionmaker = maker
        inner.state.http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
        await start_runtime(inner)
        try:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
                yield c, seen
        finally:
            http = inner.state.http
            await stop_runtime(inner)
            await http.aclose()


class TestExport:
    async def test_the_resident_gets_the_account_and_each_services_section_as_a_file(self, services_answering):
        gateway, seen = services_answering
        _, tokens, headers = await signed_in(gateway)

        resp = await gateway.get("/api/v1/me/personal-data?download=true", headers=headers)

        assert resp.status_code == 200, resp.text
        assert resp.headers["content-disposition"].startswith("attachment;")
        body = resp.json()
        assert body["account"]["username"] == "li-hua" and body["account"]["phone"] == "13800138000"
        assert set(body["services"]) == {"facilities", "operators", "feedback"}
        assert body["services"]["feedback"] == {"held": True, "from": "feedback.test"}
        # Each service was asked with the resident's own token, so it answers for that resident only.
        assert sorted(seen) == sorted(
            (f"{s}.test/api/v1/personal-data", f"Bearer {tokens['access_token']}")
            for s in ("facilities", "operators", "feedback")
        )

    async def test_a_service_down_is_503_not_a_partial_export(self, gateway):
        # The default test settings point the services at a port nothing listens on.
        _, _, headers = await signed_in(gateway)
        resp = await gateway.get("/api/v1/me/personal-data", headers=headers)
        assert resp.status_code == 503
        assert resp.headers["retry-after"]
        assert resp.headers["content-type"] == "application/problem+json"

    async def test_staff_and_keys_cannot_export_a_residents_data(self, services_answering, bearer):
        gateway, seen = services_answering
        for headers in (
            bearer("official", sub="9001"),
            bearer("official", subdistrict="jingshan"),
            bearer("operator", operator_id=1),
            bearer("auditor"),
            bearer("integration", sub="apikey:7", scopes=["events:read"]),
            bearer("operator", sub="apikey:8", operator_id=1, scopes=["operator:read"]),
        ):
            resp = await gateway.get("/api/v1/me/personal-data", headers=headers)
            assert resp.status_code == 403, resp.text
        assert seen == [], "no service was asked"

    async def test_anonymous_is_401(self, services_answering):
        gateway, _ = services_answering
        assert (await gateway.get("/api/v1/me/personal-data")).status_code == 401
