"""Ratings under load: residents rating at the same moment each get their own answer, the rules hold
across concurrent requests, and the index and the events agree with the ratings; the burst rule."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import select

from feedback_api.db import infra
from feedback_api.main import MIGRATIONS_DIR, create_app
from feedback_api.ratings.repository import RatingRepository
from feedback_api.satisfaction.repository import SUM_COLUMNS, AggregateRepository
from service_kit.db import make_sessionmaker
from service_kit.testing import (
    engine_for,
    fresh_database_url,
    migrate_for_tests,
    running_app,
)
from tests.factories import FACILITIES_URL, rating_body


async def _aggregates_match_raw(sessionmaker) -> None:
    async with sessionmaker() as session:
        repo = AggregateRepository(session)
        raw = await repo.raw_rows_by_key(None)
        stored = await repo.stored_rows_by_key(None)
    nonzero = {
        k: {c: int(v[c]) for c in SUM_COLUMNS}
        for k, v in stored.items()
        if any(v[c] for c in SUM_COLUMNS)
    }
    assert nonzero == {k: {c: int(v[c]) for c in SUM_COLUMNS} for k, v in raw.items()}


async def _events(sessionmaker) -> list[tuple[str, str]]:
    async with sessionmaker() as session:
        rows = await session.execute(
            select(infra.event.c.type, infra.event.c.subject).order_by(
                infra.event.c.seq
            )
        )
        return [(r.type, r.subject) for r in rows]


@pytest.fixture
def own_database_url(database_url: str) -> str:
    """A database of its own, where each request commits for real (PostgreSQL only)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("concurrent transactions on their own connections are PostgreSQL's")
    url = fresh_database_url("feedback-at-once")
    migrate_for_tests(MIGRATIONS_DIR, url)
    return url


@pytest_asyncio.fixture
async def committing(
    own_database_url, settings, clock, standin
) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    """The app on its own database, each request on its own connection and committing, as in
    production, so that requests run at the same time: its client and the app."""
    engine = engine_for(own_database_url)
    app = create_app(
        settings.model_copy(update={"database_url": own_database_url}), clock=clock
    )
    try:
        async with running_app(
            app,
            engine,
            make_sessionmaker(engine),
            transports={FACILITIES_URL: httpx.ASGITransport(app=standin.app)},
        ) as client:
            yield client, app
    finally:
        await engine.dispose()


async def _at_once(client, posts: list[tuple[dict, dict]]) -> list[httpx.Response]:
    return await asyncio.wait_for(
        asyncio.gather(
            *(
                client.post("/api/v1/ratings", json=body, headers=headers)
                for body, headers in posts
            )
        ),
        timeout=60,
    )


class TestAtOnce:
    async def test_fifty_ratings_at_once_are_all_saved_with_their_aggregates_and_events(
        self, committing, auth
    ):
        client, app = committing
        posts = [
            (
                rating_body(
                    1 + i % 3, overall=1 + i % 5, dimensions={"staff": 1 + (i * 7) % 5}
                ),
                auth(sub=f"many-{i}"),
            )
            for i in range(50)
        ]
        answers = await _at_once(client, posts)
        assert [a.status_code for a in answers] == [201] * 50, [
            a.text for a in answers if a.status_code != 201
        ]
        ids = [a.json()["id"] for a in answers]
        assert len(set(ids)) == 50
        assert [a.json()["overall"] for a in answers] == [1 + i % 5 for i in range(50)]
        assert all(
            a.json()["mine"] and a.json()["replaced_id"] is None for a in answers
        )
        for fid in (1, 2, 3):
            summary = (
                await client.get(
                    "/api/v1/ratings/summary",
                    params={"target_type": "facility", "target_id": fid},
                )
            ).json()
            expected = [1 + i % 5 for i in range(50) if 1 + i % 3 == fid]
            assert summary["count"] == len(expected)
            assert summary["distribution"] == {
                str(s): expected.count(s) for s in range(1, 6)
            }
        maker = app.state.sessionmaker
        await _aggregates_match_raw(maker)
        created = Counter(
            subject
            for kind, subject in await _events(maker)
            if kind == "rating.created"
        )
        assert all(created[f"rating/{i}"] == 1 for i in ids)

    async def test_a_resident_sending_more_than_the_limit_at_once_gets_429_for_the_excess(
        self, committing, auth, standin, monkeypatch
    ):
        client, app = committing
        app.state.settings.ratings_per_hour = 2
        standin.facility(4)
        # Each of the resident's requests lingers after counting the resident's ratings (up to 0.5 s, or
        # until all three have counted): requests that did not wait for each other would all count none.
        real, counted, all_counted = RatingRepository.facts, [], asyncio.Event()

        async def facts(self, **asked):
            found = await real(self, **asked)
            if asked["resident_sub"] == "heavy":
                counted.append(found.activity["last_hour"])
                if len(counted) == 3:
                    all_counted.set()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(all_counted.wait(), timeout=0.5)
            return found

        monkeypatch.setattr(RatingRepository, "facts", facts)
        heavy = [(rating_body(fid), auth(sub="heavy")) for fid in (1, 2, 4)]
        others = [(rating_body(1 + i % 3), auth(sub=f"other-{i}")) for i in range(10)]
        answers = await _at_once(client, [*heavy, *others])
        assert [a.status_code for a in answers[3:]] == [201] * 10
        assert sorted(a.status_code for a in answers[:3]) == [201, 201, 429], (
            "the limit counts the resident's ratings saved at the same moment"
        )
        [refused] = [a for a in answers[:3] if a.status_code == 429]
        assert refused.headers["content-type"] == "application/problem+json"
        assert 1 <= int(refused.headers["retry-after"]) <= 3601
        mine = (
            await client.get("/api/v1/ratings/mine", headers=auth(sub="heavy"))
        ).json()["items"]
        assert sorted(r["target_id"] for r in mine) == sorted(
            a.json()["target_id"] for a in answers[:3] if a.status_code == 201
        )
        assert sorted(counted) == [0, 1, 2], "each counted the ones saved before it"
        await _aggregates_match_raw(app.state.sessionmaker)

    async def test_the_same_resident_rating_a_target_twice_at_once_keeps_one_live_rating(
        self, committing, auth
    ):
        client, app = committing
        answers = await _at_once(
            client,
            [
                (rating_body(1, overall=2), auth(sub="twice")),
                (rating_body(1, overall=5), auth(sub="twice")),
            ],
        )
        # One after the other: the later replaces the earlier.
        first, second = sorted(answers, key=lambda a: a.status_code, reverse=True)
        assert (first.status_code, second.status_code) == (201, 200)
        assert second.json()["replaced_id"] == first.json()["id"]
        mine = (
            await client.get("/api/v1/ratings/mine", headers=auth(sub="twice"))
        ).json()["items"]
        assert [(r["id"], r["live"], r["replaced_by"]) for r in mine] == [
            (second.json()["id"], True, None),
            (first.json()["id"], False, second.json()["id"]),
        ]
        summary = (
            await client.get(
                "/api/v1/ratings/summary",
                params={"target_type": "facility", "target_id": 1},
            )
        ).json()
        assert (summary["count"], summary["overall_mean"]) == (
            1,
            f"{second.json()['overall']}.00",
        )
        maker = app.state.sessionmaker
        await _aggregates_match_raw(maker)
        events = await _events(maker)
        assert ("rating.replaced", f"rating/{first.json()['id']}") in events


class TestBursts:
    async def test_the_rating_that_completes_a_burst_holds_it_and_later_ones_join_it(
        self, client, auth, app, sessionmaker
    ):
        app.state.settings.burst_threshold = 3
        answers = [
            await client.post(
                "/api/v1/ratings", json=rating_body(3), headers=auth(sub=f"burst-{i}")
            )
            for i in range(4)
        ]
        assert [a.status_code for a in answers] == [201] * 4
        statuses = [
            (
                await client.get(
                    f"/api/v1/ratings/{a.json()['id']}", headers=auth("official")
                )
            ).json()["status"]
            for a in answers
        ]
        assert (
            statuses == ["held"] * 4
        )  # the third completed the burst, which holds its members; the fourth joined it
        await _aggregates_match_raw(sessionmaker)

    async def test_a_resident_rating_again_is_not_counted_twice_towards_a_burst(
        self, client, auth, app, sessionmaker
    ):
        # The live rating a new one replaces leaves the burst window: one resident is never a burst.
        app.state.settings.burst_threshold = 2
        answers = [
            await client.post(
                "/api/v1/ratings",
                json=rating_body(3, overall=overall),
                headers=auth(sub="again-and-again"),
            )
            for overall in (2, 3, 4)
        ]
        assert [a.status_code for a in answers] == [201, 200, 200]
        assert [a.json()["status"] for a in answers] == ["visible"] * 3
        summary = (
            await client.get(
                "/api/v1/ratings/summary",
                params={"target_type": "facility", "target_id": 3},
            )
        ).json()
        assert (summary["count"], summary["overall_mean"]) == (1, "4.00")
        await _aggregates_match_raw(sessionmaker)

    async def test_on_a_busy_target_a_burst_among_the_latest_ratings_is_held(
        self, client, auth, app, sessionmaker, clock
    ):
        # The burst rule counts a target's most recent 4 × threshold ratings in the window (a bounded read):
        # a target busy with residents from many networks, then three from one network.
        settings = app.state.settings
        (
            settings.burst_threshold,
            settings.new_account_days,
            settings.trust_forwarded,
        ) = 3, 0, True

        async def rate_from(sub: str, address: str) -> dict:
            clock.fixed += timedelta(
                seconds=1
            )  # one after another: "the latest" is well defined
            headers = {**auth(sub=sub), "X-Forwarded-For": address}
            answer = await client.post(
                "/api/v1/ratings", json=rating_body(3), headers=headers
            )
            assert answer.status_code == 201
            return answer.json()

        crowd = [await rate_from(f"crowd-{i}", f"10.{i}.0.7") for i in range(14)]
        ring = [await rate_from(f"ring-{i}", "10.99.0.7") for i in range(3)]
        status = {
            r["id"]: (
                await client.get(f"/api/v1/ratings/{r['id']}", headers=auth("official"))
            ).json()["status"]
            for r in crowd + ring
        }
        assert [status[r["id"]] for r in crowd] == ["visible"] * 14
        assert [status[r["id"]] for r in ring] == ["held"] * 3
        await _aggregates_match_raw(sessionmaker)
