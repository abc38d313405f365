"""Account rules through the real gateway and services: a subdistrict official reaching for the
district's accounts and keys, a disabled resident keeping its token, an integrator whose revoked key's
webhooks would keep sending it events, a password guesser meeting a lock that a restart of the
gateway does not lift, a prober asking sign-up who is registered."""

from __future__ import annotations

import time

import httpx
import pytest

PASSWORD = "a-long-password"


def auth_post(client: httpx.Client, path: str, **kw) -> httpx.Response:
    """POST to a sign-in route as a well-behaved client: when this address is throttled (the tests all
    come from one address), wait as Retry-After says and try again. An account's lock is not retried."""
    for _ in range(10):
        resp = client.post(path, **kw)
        if resp.status_code != 429 or resp.json()["type"] == "/problems/sign-in-locked":
            return resp
        time.sleep(int(resp.headers["retry-after"]))
    return resp


def sign_in(client: httpx.Client, username: str, password: str = "demo-password") -> httpx.Response:
    return auth_post(client, "/api/v1/auth/token", data={"username": username, "password": password})


def bearer(client: httpx.Client, username: str, password: str = "demo-password") -> dict[str, str]:
    resp = sign_in(client, username, password)
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


def register(client: httpx.Client, **body) -> httpx.Response:
    return auth_post(client, "/api/v1/auth/register", json={"password": PASSWORD, "display_name": "居民", **body})


@pytest.fixture(scope="module")
def staff(platform) -> dict[str, dict[str, str]]:
    with httpx.Client(base_url=platform.url, timeout=15) as client:
        return {"district": bearer(client, "demo-official"), "jingshan": bearer(client, "demo-subdistrict-official")}


def test_a_subdistrict_official_reads_no_residents_phone_and_manages_no_account_or_key(platform, staff):
    with httpx.Client(base_url=platform.url, timeout=15) as client:
        assert register(client, username="rules-acc-1", phone="13700137001").status_code == 202
        seen = client.get("/api/v1/users", params={"limit": 500}, headers=staff["jingshan"])
        assert seen.status_code == 200
        assert {u["role"] for u in seen.json()["items"]} == {"official"}
        assert {u["subdistrict"] for u in seen.json()["items"]} == {"jingshan"}

        listed = client.get("/api/v1/users", params={"phone": "13700137001"}, headers=staff["district"]).json()["items"]
        assert [u["phone"] for u in listed] == ["137****7001"], "masked even for the district"
        resident_id = listed[0]["id"]
        assert (
            client.post(
                f"/api/v1/users/{resident_id}/disable", json={"reason": "越权"}, headers=staff["jingshan"]
            ).status_code
            == 403
        )

        key = client.post(
            "/api/v1/api-keys", json={"name": "12345 热线", "scopes": ["events:read"]}, headers=staff["district"]
        )
        assert key.status_code == 201, key.text
        assert client.delete(f"/api/v1/api-keys/{key.json()['id']}", headers=staff["jingshan"]).status_code == 403
        assert (
            client.post(
                "/api/v1/api-keys", json={"name": "x", "scopes": ["events:read"]}, headers=staff["jingshan"]
            ).status_code
            == 403
        )
        # The district's key works where its scope reaches.
        assert client.get("/api/v1/facilities/events", headers={"X-API-Key": key.json()["key"]}).status_code == 200


def test_revoking_an_integrators_key_stops_its_webhooks_at_every_service(platform, staff):
    with httpx.Client(base_url=platform.url, timeout=15) as client:
        key = client.post(
            "/api/v1/api-keys", json={"name": "城市大脑推送", "scopes": ["webhooks:manage"]}, headers=staff["district"]
        )
        assert key.status_code == 201, key.text
        as_key = {"X-API-Key": key.json()["key"]}
        hook = {"url": "http://127.0.0.1:9/revoked-integrator", "event_types": ["*"]}
        made = {}
        for service in ("facilities", "operators", "feedback", "identity"):
            resp = client.post(f"/api/v1/{service}/webhooks", json=hook, headers=as_key)
            assert resp.status_code == 201, (service, resp.text)
            made[service] = resp.json()["id"]

        assert client.delete(f"/api/v1/api-keys/{key.json()['id']}", headers=staff["district"]).status_code == 204

        # Each service reads the revocation from the gateway's feed within its interval (1 s here).
        states: dict[str, dict] = {}
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            states = {
                service: client.get(f"/api/v1/{service}/webhooks/{sub_id}", headers=staff["district"]).json()
                for service, sub_id in made.items()
            }
            if all(s.get("disabled_reason") == "key-revoked" for s in states.values()):
                break
            time.sleep(0.5)
        assert {service: (s["active"], s["disabled_reason"]) for service, s in states.items()} == {
            service: (False, "key-revoked") for service in made
        }
        resumed = client.patch(
            f"/api/v1/operators/webhooks/{made['operators']}", json={"active": True}, headers=staff["district"]
        )
        assert resumed.status_code == 409


def test_a_disabled_residents_token_stops_at_once_at_every_service(platform, staff):
    with httpx.Client(base_url=platform.url, timeout=15) as client:
        assert register(client, username="rules-acc-2").status_code == 202
        tokens = sign_in(client, "rules-acc-2", PASSWORD).json()
        resident = {"Authorization": f"Bearer {tokens['access_token']}"}
        assert client.get("/api/v1/bookings", headers=resident).status_code == 200
        me = client.get("/api/v1/me", headers=resident).json()

        disabled = client.post(
            f"/api/v1/users/{me['id']}/disable", json={"reason": "冒用他人身份"}, headers=staff["district"]
        )
        assert disabled.status_code == 200, disabled.text
        for path in ("/api/v1/bookings", "/api/v1/cases", "/api/v1/me"):
            resp = client.get(path, headers=resident)
            assert resp.status_code == 401, (path, resp.text)
        assert (
            auth_post(client, "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code
            == 401
        )
        again = sign_in(client, "rules-acc-2", PASSWORD)
        assert again.status_code == 403 and again.json()["type"] == "/problems/account-disabled"


def test_sign_up_does_not_tell_a_prober_whether_a_number_is_registered(platform):
    with httpx.Client(base_url=platform.url, timeout=15) as client:
        owner = register(client, username="rules-acc-4", phone="13700137004")
        probe = register(client, username="rules-prober", phone="13700137004", password="prober-secret-9")
        free = register(client, username="rules-acc-5", phone="13700137005")
        assert owner.status_code == probe.status_code == free.status_code == 202
        assert owner.json() == probe.json() == free.json()
        assert sign_in(client, "13700137004", PASSWORD).status_code == 200


def test_a_password_guesser_meets_a_lock_that_a_gateway_restart_does_not_lift(platform):
    # Last of this module: the restart also empties the per-address throttle these tests drew on.
    with httpx.Client(base_url=platform.url, timeout=15) as client:
        assert register(client, username="rules-acc-3").status_code == 202
        codes = [sign_in(client, "rules-acc-3", f"guess-number-{i}").status_code for i in range(5)]
        assert codes == [401] * 5
        locked = sign_in(client, "rules-acc-3", PASSWORD)
        assert locked.status_code == 429 and locked.json()["type"] == "/problems/sign-in-locked"
        assert 0 < int(locked.headers["retry-after"]) <= 60
    platform.stop("gateway")
    platform.start("gateway")
    with httpx.Client(base_url=platform.url, timeout=15) as client:
        still = sign_in(client, "rules-acc-3", PASSWORD)
        assert still.status_code == 429 and still.json()["type"] == "/problems/sign-in-locked"
