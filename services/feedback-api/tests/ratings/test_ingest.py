"""POST /api/v1/ratings answers the same whether a rating goes through the ingestion layer
(ratings/ingest.py, the default) or through the FastAPI route: every answer of one scenario, on both."""

from __future__ import annotations

import pytest

from feedback_api.ratings import router as ratings_router
from tests.factories import rating_body


@pytest.fixture(params=[True, False], ids=["ingest", "route"])
def settings(request, settings):
    settings.rating_fast_ingest = request.param
    return settings


def _seen(resp) -> tuple:
    """What a client sees of an answer, without the ids and request ids that differ between runs."""
    body = resp.json()
    if resp.headers["content-type"] == "application/problem+json":
        return (
            resp.status_code,
            "problem",
            body["title"],
            body["detail"],
            resp.headers.get("retry-after") is not None,
        )
    location = resp.headers["location"] == f"/api/v1/ratings/{body['id']}"
    return (
        resp.status_code,
        "rating",
        body["overall"],
        body["verified"],
        body["replaced_id"] is not None,
        location,
    )


async def test_every_answer_is_the_routes_and_a_residents_rating_skips_the_route(
    client, auth, app, settings, monkeypatch
):
    routed: list[int] = []
    real = ratings_router.rate_and_answer

    async def counted(request, principal, data):
        routed.append(data.target_id)
        return await real(request, principal, data)

    monkeypatch.setattr(ratings_router, "rate_and_answer", counted)
    app.state.settings.ratings_per_hour = 2
    post = client.post
    answers = [
        await post("/api/v1/ratings", json=rating_body(1, overall=3), headers=auth()),
        await post("/api/v1/ratings", json=rating_body(1, overall=5), headers=auth()),
        await post(
            "/api/v1/ratings", json=rating_body(2), headers=auth()
        ),  # over the limit of 2 an hour
        await post("/api/v1/ratings", json=rating_body(1)),
        await post(
            "/api/v1/ratings",
            json=rating_body(1),
            headers={"Authorization": "Bearer not-a-token"},
        ),
        await post("/api/v1/ratings", json=rating_body(1), headers=auth("official")),
        await post(
            "/api/v1/ratings", json=rating_body(1, overall=6), headers=auth(sub="other")
        ),
        await post("/api/v1/ratings", json=rating_body(999), headers=auth(sub="other")),
        await post(
            "/api/v1/ratings",
            content=b"{not json",
            headers={**auth(sub="other"), "content-type": "application/json"},
        ),
        await post(
            "/api/v1/ratings",
            content=b"overall=4",
            headers={**auth(sub="other"), "content-type": "text/plain"},
        ),
    ]
    seen = [_seen(a) for a in answers]
    assert [s[:2] for s in seen] == [
        (201, "rating"), (200, "rating"), (429, "problem"), (401, "problem"), (401, "problem"), (403, "problem"),
        (422, "problem"), (422, "problem"), (400, "problem"), (415, "problem"),
    ]  # fmt: skip
    assert seen[0] == (201, "rating", 3, False, False, True) and seen[1] == (
        200,
        "rating",
        5,
        False,
        True,
        True,
    )
    assert seen[2][4] is True, "the 429 says when to retry"
    assert "999" in seen[7][3], seen[7]
    # A resident's valid rating (saved, over the limit, or of an unknown target) reaches the route only when
    # the ingestion layer is off; the others reach it either way, and are not counted here (refused earlier).
    assert routed == ([] if settings.rating_fast_ingest else [1, 1, 2, 999])
    mine = (await client.get("/api/v1/ratings/mine", headers=auth())).json()["items"]
    assert [(r["overall"], r["live"]) for r in mine] == [(5, True), (3, False)]


async def test_an_idempotency_key_goes_through_the_route_and_replays(
    client, auth, settings
):
    headers = {**auth(sub="idem"), "Idempotency-Key": "rate-once-1"}
    first = await client.post("/api/v1/ratings", json=rating_body(1), headers=headers)
    again = await client.post("/api/v1/ratings", json=rating_body(1), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
