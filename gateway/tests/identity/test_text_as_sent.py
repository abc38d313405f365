"""A password is kept exactly as typed; a name is checked as sent and kept without the spaces
around it."""

from __future__ import annotations


async def test_spaces_around_a_password_are_part_of_it(client) -> None:
    password = "  correct horse battery  "
    signed_up = await client.post(
        "/api/v1/auth/register", json={"username": "spaced-out", "password": password, "display_name": "S"}
    )
    assert signed_up.status_code == 202, signed_up.text
    exact = await client.post("/api/v1/auth/token", data={"username": "spaced-out", "password": password})
    trimmed = await client.post("/api/v1/auth/token", data={"username": "spaced-out", "password": password.strip()})
    assert exact.status_code == 200, exact.text
    assert trimmed.status_code == 401


async def test_a_password_longer_than_documented_is_refused_even_with_spaces_around_it(client) -> None:
    too_long = " " + "x" * 128 + " "
    answer = await client.post(
        "/api/v1/auth/register", json={"username": "long-one", "password": too_long, "display_name": "L"}
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")


async def test_a_name_is_checked_as_sent_and_kept_without_the_spaces_around_it(client) -> None:
    too_long = await client.post(
        "/api/v1/auth/register",
        json={"username": "name-long", "password": "correct horse battery", "display_name": " " + "名" * 50},
    )
    blank = await client.post(
        "/api/v1/auth/register",
        json={"username": "name-blank", "password": "correct horse battery", "display_name": "   "},
    )
    assert too_long.status_code == 422 and blank.status_code == 422
    ok = await client.post(
        "/api/v1/auth/register",
        json={"username": "name-ok", "password": "correct horse battery", "display_name": "  李华 "},
    )
    assert ok.status_code == 202, ok.text
    token = await client.post("/api/v1/auth/token", data={"username": "name-ok", "password": "correct horse battery"})
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"})
    assert me.json()["display_name"] == "李华"
