"""A password is kept exactly as typed, so the one a resident signs up with is the one that signs in."""

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
