"""Many ratings at once: the process's writer saves the ratings waiting at one moment in one transaction,
and every request still gets its own answer (ratings/writer.py)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from feedback_api.db import infra
from feedback_api.main import MIGRATIONS_DIR, create_app
from feedback_api.ratings.models import Rating
from feedback_api.satisfaction.repository import SUM_COLUMNS, AggregateRepository
from service_kit.db import make_sessionmaker
from service_kit.testing import (
    engine_for,
    fresh_database_url,
    migrate_for_tests,
    running_app,
)
from tests.factories import FACILITIES_URL, look_too_early, rating_body


async def _all_at_once(app, client, posts: list[tuple[dict, dict]]) -> list:
    """Send the posts so that they are all waiting when the writer takes its next batch: a first rating
    (resident `primer`, facility 3) is held in the writer until the others are queued behind it.
    Returns the answers to `posts`, in order."""
    writer = app.state.rating_writer
    in_hand, gate = asyncio.Event(), asyncio.Event()
    real_write = writer._write
    # One batch at a time here, so that all of them wait behind the held one (see TestBatchesInFlight).
    in_flight, writer.max_in_flight = writer.max_in_flight, 1

    async def held(batch):
        in_hand.set()
        await gate.wait()
        await real_write(batch)

    writer._write = held
    try:
        primer = asyncio.create_task(
            client.post(
                "/api/v1/ratings", json=rating_body(3), headers=_primer_headers(app)
            )
        )
        await asyncio.wait_for(in_hand.wait(), timeout=10)
        tasks = [
            asyncio.create_task(
                client.post("/api/v1/ratings", json=body, headers=headers)
            )
            for body, headers in posts
        ]
        for _ in range(
            1000
        ):  # bounded: until every request has reached the writer's queue
            if writer.waiting == len(posts):
                break
            await asyncio.sleep(0.01)
        assert writer.waiting == len(posts), (
            "every rating is queued behind the held one"
        )
        gate.set()
        assert (await primer).status_code == 201
        return await asyncio.gather(*tasks)
    finally:
        writer._write = real_write
        writer.max_in_flight = in_flight


def _primer_headers(app) -> dict[str, str]:
    from service_kit.auth import mint_token

    return {
        "Authorization": f"Bearer {mint_token(app.state.settings, sub='primer', role='resident', ttl_s=600)}"
    }


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


class TestManyAtOnce:
    async def test_fifty_gathered_ratings_are_all_saved_with_their_aggregates_and_events(
        self, client, auth, app, sessionmaker
    ):
        posts = [
            (
                rating_body(
                    1 + i % 3, overall=1 + i % 5, dimensions={"staff": 1 + (i * 7) % 5}
                ),
                auth(sub=f"many-{i}"),
            )
            for i in range(50)
        ]
        answers = await _all_at_once(app, client, posts)
        assert [a.status_code for a in answers] == [201] * 50, [
            a.text for a in answers if a.status_code != 201
        ]
        ids = [a.json()["id"] for a in answers]
        assert len(set(ids)) == 50
        assert [a.json()["overall"] for a in answers] == [1 + i % 5 for i in range(50)]
        assert all(
            a.json()["mine"] and a.json()["replaced_id"] is None for a in answers
        )
        assert app.state.rating_writer.batches == 2, (
            "the held rating, then the fifty together"
        )

        for fid in (1, 2):
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
        await _aggregates_match_raw(sessionmaker)
        created = Counter(
            subject
            for kind, subject in await _events(sessionmaker)
            if kind == "rating.created"
        )
        assert all(created[f"rating/{i}"] == 1 for i in ids)

    async def test_one_resident_over_the_limit_is_429_and_the_others_in_the_batch_are_saved(
        self, client, auth, app, standin, sessionmaker
    ):
        app.state.settings.ratings_per_hour = 2
        standin.facility(4)
        heavy = [(rating_body(fid), auth(sub="heavy")) for fid in (1, 2, 4)]
        others = [(rating_body(1 + i % 3), auth(sub=f"other-{i}")) for i in range(10)]
        answers = await _all_at_once(app, client, [*heavy, *others])
        assert [a.status_code for a in answers[3:]] == [201] * 10, (
            "the others in the same batch are saved"
        )
        assert sorted(a.status_code for a in answers[:3]) == [201, 201, 429], (
            "the resident's third rating is refused"
        )
        [refused] = [a for a in answers[:3] if a.status_code == 429]
        assert refused.headers["content-type"] == "application/problem+json"
        assert 1 <= int(refused.headers["retry-after"]) <= 3601
        assert app.state.rating_writer.batches == 2, (
            "the held rating, then the thirteen together"
        )
        assert app.state.rating_writer.fallbacks == 0
        mine = (
            await client.get("/api/v1/ratings/mine", headers=auth(sub="heavy"))
        ).json()["items"]
        assert sorted(r["target_id"] for r in mine) == sorted(
            a.json()["target_id"] for a in answers[:3] if a.status_code == 201
        )
        await _aggregates_match_raw(sessionmaker)

    async def test_the_same_resident_rating_a_target_twice_at_once_keeps_one_live_rating(
        self, client, auth, app, sessionmaker
    ):
        answers = await _all_at_once(
            app,
            client,
            [
                (rating_body(1, overall=2), auth(sub="twice")),
                (rating_body(1, overall=5), auth(sub="twice")),
            ],
        )
        # They are applied one after the other, in the order they reached the writer.
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
        await _aggregates_match_raw(sessionmaker)
        events = await _events(sessionmaker)
        assert ("rating.replaced", f"rating/{first.json()['id']}") in events


class TestBatchFailure:
    async def test_a_batch_the_database_refuses_is_written_one_by_one_each_with_its_own_answer(
        self, client, auth, app, sessionmaker, monkeypatch
    ):
        earlier = (
            await client.post(
                "/api/v1/ratings",
                json=rating_body(1, overall=1),
                headers=auth(sub="again"),
            )
        ).json()

        # As if another process had saved `earlier` after the batch looked for live ratings: the batch's
        # look finds nothing, and the database's unique index refuses a second live rating in the INSERT.
        # (only the batch's look: the ratings written one by one afterwards look again, and see it)
        look_too_early(monkeypatch, lambda keys: len(keys) > 1)
        answers = await _all_at_once(
            app,
            client,
            [
                (rating_body(2), auth(sub="fine-1")),
                (rating_body(1, overall=5), auth(sub="again")),
                (rating_body(1), auth(sub="fine-2")),
            ],
        )
        assert app.state.rating_writer.fallbacks == 1
        assert [a.status_code for a in answers] == [201, 200, 201]
        assert answers[1].json()["replaced_id"] == earlier["id"]
        async with sessionmaker() as session:
            live = (
                await session.execute(
                    select(Rating.resident_sub, Rating.target_id).where(Rating.live)
                )
            ).all()
        assert sorted(live) == sorted(
            [("fine-1", 2), ("again", 1), ("fine-2", 1), ("primer", 3)]
        )
        await _aggregates_match_raw(sessionmaker)
        created = [
            subject
            for kind, subject in await _events(sessionmaker)
            if kind == "rating.created"
        ]
        assert len(created) == len(set(created)) == 5, (
            "nothing of the failed batch was announced"
        )


class TestBatchesInFlight:
    async def test_ratings_arriving_while_a_batch_is_written_are_saved_at_once_except_that_residents(
        self, client, auth, app, sessionmaker
    ):
        writer = app.state.rating_writer
        writer.max_in_flight = 2
        in_hand, gate = asyncio.Event(), asyncio.Event()
        real_write = writer._write

        async def first_held(batch):
            if any(req.principal.sub == "primer" for req, _ in batch):
                in_hand.set()
                await gate.wait()
            await real_write(batch)

        writer._write = first_held
        try:
            primer = asyncio.create_task(
                client.post(
                    "/api/v1/ratings", json=rating_body(3), headers=_primer_headers(app)
                )
            )
            await asyncio.wait_for(in_hand.wait(), timeout=10)
            same_resident = asyncio.create_task(
                client.post(
                    "/api/v1/ratings", json=rating_body(1), headers=_primer_headers(app)
                )
            )
            others = [
                asyncio.create_task(
                    client.post(
                        "/api/v1/ratings",
                        json=rating_body(1 + i % 2),
                        headers=auth(sub=f"meanwhile-{i}"),
                    )
                )
                for i in range(6)
            ]
            answers = await asyncio.wait_for(asyncio.gather(*others), timeout=20)
            assert [a.status_code for a in answers] == [201] * 6, (
                "saved while the first batch is still being written"
            )
            assert not primer.done() and not same_resident.done()
            assert writer.waiting == 1, (
                "the held resident's next rating waits for its batch"
            )
            assert writer.most_at_once == 2
            gate.set()
            assert (await primer).status_code == 201
            assert (await same_resident).status_code == 201
        finally:
            gate.set()
            writer._write = real_write
        mine = (
            await client.get("/api/v1/ratings/mine", headers=_primer_headers(app))
        ).json()["items"]
        assert sorted(r["target_id"] for r in mine) == [1, 3]
        await _aggregates_match_raw(sessionmaker)
        created = Counter(
            subject
            for kind, subject in await _events(sessionmaker)
            if kind == "rating.created"
        )
        assert sum(created.values()) == 8


class TestOnTheDriver:
    """On PostgreSQL the writer runs its statements on the asyncpg connection (driver_store.py) and hands
    back to the session path what only that path does; on SQLite everything goes through the session.
    Either way the residents see the same answers and the index and the events agree with the ratings."""

    async def test_ratings_written_on_the_driver_answer_and_count_as_through_the_session(
        self, client, auth, app, sessionmaker, database_url
    ):
        writer = app.state.rating_writer
        # facility 2 is not in the local operation map yet: the session path asks facilities-api and keeps it
        first = await client.post(
            "/api/v1/ratings", json=rating_body(2, overall=2), headers=auth(sub="drv-a")
        )
        second = await client.post(
            "/api/v1/ratings",
            json=rating_body(2, overall=5, dimensions={"staff": 3}),
            headers=auth(sub="drv-b"),
        )
        again = await client.post(
            "/api/v1/ratings", json=rating_body(2, overall=4), headers=auth(sub="drv-b")
        )
        assert [first.status_code, second.status_code, again.status_code] == [
            201,
            201,
            200,
        ]
        assert again.json()["replaced_id"] == second.json()["id"]
        summary = (
            await client.get(
                "/api/v1/ratings/summary",
                params={"target_type": "facility", "target_id": 2},
            )
        ).json()
        assert (summary["count"], summary["overall_mean"]) == (2, "3.00")
        await _aggregates_match_raw(sessionmaker)
        events = [
            kind
            for kind, subject in await _events(sessionmaker)
            if subject.startswith("rating/")
        ]
        assert events == [
            "rating.created",
            "rating.created",
            "rating.created",
            "rating.replaced",
        ]
        if database_url.startswith("postgresql"):
            assert (writer.on_driver, writer.handed_back) == (2, 1)
        else:
            assert (writer.on_driver, writer.handed_back) == (0, 0)

    async def test_a_suspected_burst_is_handed_back_and_held_as_through_the_session(
        self, client, auth, app, sessionmaker, database_url
    ):
        app.state.settings.burst_threshold = 3
        writer = app.state.rating_writer
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
        if database_url.startswith("postgresql"):
            # the first (facility unknown) and the two that completed or joined the burst went through the session
            assert writer.on_driver == 1 and writer.handed_back == 3

    async def test_a_resident_rating_again_is_not_counted_twice_towards_a_burst(
        self, client, auth, app, sessionmaker, database_url
    ):
        # The burst window is read before the batch's insert: the live rating a new one replaces leaves it.
        app.state.settings.burst_threshold = 2
        writer = app.state.rating_writer
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
        if database_url.startswith("postgresql"):
            # only the first went through the session (facility 3 was not in the local map yet): one live
            # rating from one network is no suspect, however often it is replaced
            assert (writer.on_driver, writer.handed_back) == (2, 1)
        else:
            assert (writer.on_driver, writer.handed_back) == (0, 0)

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


@pytest.fixture
def race_database_url(database_url: str) -> str:
    """A database of its own, where two writers commit for real (PostgreSQL only)."""
    if not database_url.startswith("postgresql"):
        pytest.skip(
            "the driver path, and two writers committing at once, are PostgreSQL's"
        )
    url = fresh_database_url("feedback-race")
    migrate_for_tests(MIGRATIONS_DIR, url)
    return url


class TestTwoWritersOnTheDriver:
    """Two processes' writers, each on its own connections, committing for real: the driver path reads
    without locking, and a batch that lost a live-rating slot to the other writer between its read and its
    write is refused by the unique index and written again."""

    async def test_both_re_ratings_of_one_slot_are_kept_in_order_and_counted_once(
        self, race_database_url, settings, clock, standin, auth, monkeypatch
    ):
        from feedback_api.ratings.driver_store import DriverStore

        engine = engine_for(race_database_url)
        apps = [
            create_app(
                settings.model_copy(update={"database_url": race_database_url}),
                clock=clock,
            )
            for _ in range(2)
        ]
        try:
            async with contextlib.AsyncExitStack() as stack:
                clients = [
                    await stack.enter_async_context(
                        running_app(
                            app,
                            engine,
                            make_sessionmaker(engine),
                            transports={
                                FACILITIES_URL: httpx.ASGITransport(app=standin.app)
                            },
                        )
                    )
                    for app in apps
                ]
                first = await clients[0].post(
                    "/api/v1/ratings",
                    json=rating_body(2, overall=1),
                    headers=auth(sub="racer"),
                )
                assert first.status_code == 201

                # Both writers read before either writes: each finds `first` live and means to replace it.
                both_read, real_read, reads = asyncio.Barrier(2), DriverStore.read, []

                async def read(self, lookup):
                    found = await real_read(self, lookup)
                    reads.append([r.id for r in found.live])
                    if len(reads) <= 2:
                        await asyncio.wait_for(both_read.wait(), timeout=10)
                    return found

                monkeypatch.setattr(DriverStore, "read", read)
                answers = await asyncio.gather(
                    *(
                        c.post(
                            "/api/v1/ratings",
                            json=rating_body(2, overall=overall),
                            headers=auth(sub="racer"),
                        )
                        for c, overall in zip(clients, (4, 5), strict=True)
                    )
                )
                assert [a.status_code for a in answers] == [200, 200]
                assert reads[:2] == [[first.json()["id"]]] * 2
                # one replaced `first`; the other, refused, read again and replaced the winner
                replaced = sorted(a.json()["replaced_id"] for a in answers)
                ids = sorted(a.json()["id"] for a in answers)
                assert first.json()["id"] in replaced and set(replaced) - {
                    first.json()["id"]
                } <= set(ids)
                assert [w.rating_writer.on_driver for w in (a.state for a in apps)] == [
                    1,
                    1,
                ]

                mine = (
                    await clients[0].get(
                        "/api/v1/ratings/mine", headers=auth(sub="racer")
                    )
                ).json()["items"]
                assert sum(r["live"] for r in mine) == 1 and len(mine) == 3
                summary = (
                    await clients[1].get(
                        "/api/v1/ratings/summary",
                        params={"target_type": "facility", "target_id": 2},
                    )
                ).json()
                assert summary["count"] == 1
                maker = make_sessionmaker(engine)
                await _aggregates_match_raw(maker)
                kinds = Counter(
                    kind
                    for kind, subject in await _events(maker)
                    if subject.startswith("rating/")
                )
                assert (kinds["rating.created"], kinds["rating.replaced"]) == (3, 2)
        finally:
            await engine.dispose()
