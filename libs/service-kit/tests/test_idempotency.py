"""Idempotency-Key on a creating POST: same key and body → the first answer again, and the answer saved
in the same transaction as the change, whatever happens to the process in between."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from uuid import uuid4

import pytest
from fastapi import APIRouter, Request
from sqlalchemy import func, select

from service_kit.db import SessionDep
from service_kit.testing import KilledBetween, age_pending_idempotency_keys
from tests.conftest import NoteCreate, infra, make_app, note


async def test_same_key_same_body_replays_the_first_answer(client, auth):
    headers = {**auth(), "Idempotency-Key": "k-1"}
    first = await client.post("/api/v1/notes", json={"text": "hello"}, headers=headers)
    second = await client.post("/api/v1/notes", json={"text": "hello"}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["idempotent-replayed"] == "true"
    feed = (await client.get("/api/v1/events", headers=auth())).json()["items"]
    assert len(feed) == 1, "the replay wrote nothing"


async def test_same_key_other_body_is_422(client, auth):
    headers = {**auth(), "Idempotency-Key": "k-2"}
    assert (await client.post("/api/v1/notes", json={"text": "a"}, headers=headers)).status_code == 201
    resp = await client.post("/api/v1/notes", json={"text": "b"}, headers=headers)
    assert resp.status_code == 422
    assert resp.json()["type"] == "/problems/idempotency-key-reused"


async def test_keys_are_scoped_to_the_caller(client, auth):
    a = await client.post("/api/v1/notes", json={"text": "mine"}, headers={**auth(sub="a"), "Idempotency-Key": "same"})
    b = await client.post("/api/v1/notes", json={"text": "yours"}, headers={**auth(sub="b"), "Idempotency-Key": "same"})
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]


async def test_a_refusal_is_replayed_too(client, auth):
    await client.post("/api/v1/notes", json={"text": "dup"}, headers=auth())
    headers = {**auth(), "Idempotency-Key": "k-3"}
    first = await client.post("/api/v1/notes", json={"text": "dup"}, headers=headers)
    again = await client.post("/api/v1/notes", json={"text": "dup"}, headers=headers)
    assert first.status_code == again.status_code == 409


# --- the answer is saved in the transaction of the change --------------------------------------------


records = infra.idempotency_record


@pytest.fixture
def fault(engine) -> Iterator:
    """fault(dies=...): the process killed right after the note went to the database, where the
    key's record is written next."""
    made: list[KilledBetween] = []

    def arm(*, dies: bool) -> KilledBetween:
        made.append(KilledBetween(engine, change_table="note", at_table="idempotency_record", dies=dies))
        return made[-1]

    yield arm
    for f in made:
        f.remove()


async def count_notes(sessionmaker, text: str) -> int:
    async with sessionmaker() as session:
        return (await session.execute(select(func.count()).select_from(note).where(note.c.text == text))).scalar_one()


async def let_pending_keys_go_stale(sessionmaker) -> None:
    await age_pending_idempotency_keys(sessionmaker, records)


class TestACrashBetweenTheChangeAndTheKey:
    async def test_leaves_neither_and_the_retry_creates_exactly_one(self, client, auth, fault, sessionmaker):
        headers = {**auth(), "Idempotency-Key": "crash-1"}
        crash = fault(dies=True)
        first = await client.post("/api/v1/notes", json={"text": "once"}, headers=headers)
        assert crash.fired, "the fault was reached"
        crash.remove()  # the process is started again
        assert first.status_code >= 500 or first.status_code == 201
        await let_pending_keys_go_stale(sessionmaker)

        retry = await client.post("/api/v1/notes", json={"text": "once"}, headers=headers)
        again = await client.post("/api/v1/notes", json={"text": "once"}, headers=headers)

        assert retry.status_code == 201, retry.text
        assert await count_notes(sessionmaker, "once") == 1
        assert again.status_code == 201 and again.json() == retry.json()
        assert again.headers["idempotent-replayed"] == "true"
        feed = (await client.get("/api/v1/events", headers=auth())).json()["items"]
        assert len(feed) == 1, "one change, one event"

    async def test_a_failed_commit_is_the_answer_and_saves_nothing(self, client, auth, fault, sessionmaker):
        headers = {**auth(), "Idempotency-Key": "commit-fails"}
        failing = fault(dies=False)
        first = await client.post("/api/v1/notes", json={"text": "lost"}, headers=headers)
        assert failing.fired
        assert first.status_code == 500
        assert "nothing was saved" in first.json()["detail"]
        assert await count_notes(sessionmaker, "lost") == 0

        retry = await client.post("/api/v1/notes", json={"text": "lost"}, headers=headers)
        assert retry.status_code == 201, "the key was freed: the retry runs at once, afresh"
        assert await count_notes(sessionmaker, "lost") == 1


extra = APIRouter(prefix="/api/v1")


@extra.post("/note-pairs", status_code=201)
async def create_note_pair(body: NoteCreate, session: SessionDep) -> dict:
    """Commits twice: the first note, then the second."""
    await session.execute(note.insert().values(text=f"{body.text} a"))
    await session.commit()
    await session.execute(note.insert().values(text=f"{body.text} b"))
    await session.commit()
    return {"text": body.text}


@extra.post("/undone-notes", status_code=201)
async def create_then_undo(body: NoteCreate, session: SessionDep) -> dict:
    await session.execute(note.insert().values(text=body.text))
    await session.commit()
    await session.rollback()
    return {"text": body.text}


@extra.post("/slow-notes", status_code=201)
async def create_slowly(body: NoteCreate, session: SessionDep, request: Request) -> dict:
    """Waits for the test's go-ahead when it has set a gate, then writes a note of its own."""
    gates: list[tuple[asyncio.Event, asyncio.Event]] = request.app.state.gates
    if gates:
        entered, go = gates.pop(0)
        entered.set()
        await go.wait()
    result = await session.execute(note.insert().values(text=f"{body.text} {uuid4().hex}").returning(note.c.id))
    await session.commit()
    return {"id": result.scalar_one()}


@pytest.fixture
def app(settings, tmp_path):
    made = make_app(settings, tmp_path)
    made.include_router(extra)
    made.state.gates = []
    return made


async def count_like(sessionmaker, prefix: str) -> int:
    async with sessionmaker() as session:
        return (
            await session.execute(select(func.count()).select_from(note).where(note.c.text.like(f"{prefix}%")))
        ).scalar_one()


class TestHandlersThatCommitSeveralTimes:
    async def test_every_commit_is_saved_with_the_answer_in_one_transaction(self, client, auth, sessionmaker):
        headers = {**auth(), "Idempotency-Key": "pair-1"}
        first = await client.post("/api/v1/note-pairs", json={"text": "pair"}, headers=headers)
        again = await client.post("/api/v1/note-pairs", json={"text": "pair"}, headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.headers["idempotent-replayed"] == "true"
        assert await count_like(sessionmaker, "pair") == 2

    async def test_a_crash_after_the_first_commit_leaves_nothing_of_either(self, client, auth, fault, sessionmaker):
        headers = {**auth(), "Idempotency-Key": "pair-2"}
        crash = fault(dies=True)
        await client.post("/api/v1/note-pairs", json={"text": "halves"}, headers=headers)
        assert crash.fired
        crash.remove()
        assert await count_like(sessionmaker, "halves") == 0, "the first commit was not saved on its own"
        await let_pending_keys_go_stale(sessionmaker)
        retry = await client.post("/api/v1/note-pairs", json={"text": "halves"}, headers=headers)
        assert retry.status_code == 201
        assert await count_like(sessionmaker, "halves") == 2

    async def test_a_rollback_after_a_commit_is_refused_and_saves_nothing(self, client, auth, sessionmaker):
        headers = {**auth(), "Idempotency-Key": "undo-1"}
        resp = await client.post("/api/v1/undone-notes", json={"text": "undone"}, headers=headers)
        assert resp.status_code == 500
        assert await count_like(sessionmaker, "undone") == 0
        retry = await client.post("/api/v1/undone-notes", json={"text": "undone"}, headers=headers)
        assert retry.status_code == 500, "the failure was not kept: the retry ran again"


class TestARetryWhileTheFirstRuns:
    async def test_is_409_then_the_first_answer(self, app, client, auth, sessionmaker):
        entered, go = asyncio.Event(), asyncio.Event()
        app.state.gates.append((entered, go))
        headers = {**auth(), "Idempotency-Key": "slow-1"}
        first = asyncio.create_task(client.post("/api/v1/slow-notes", json={"text": "slow"}, headers=headers))
        await asyncio.wait_for(entered.wait(), 5)
        meanwhile = await client.post("/api/v1/slow-notes", json={"text": "slow"}, headers=headers)
        go.set()
        done = await first
        later = await client.post("/api/v1/slow-notes", json={"text": "slow"}, headers=headers)
        assert meanwhile.status_code == 409
        assert done.status_code == 201
        assert later.status_code == 201 and later.json() == done.json()
        assert await count_like(sessionmaker, "slow") == 1

    async def test_a_request_whose_stale_claim_was_taken_over_saves_nothing(self, app, client, auth, sessionmaker):
        entered, go = asyncio.Event(), asyncio.Event()
        app.state.gates.append((entered, go))
        headers = {**auth(), "Idempotency-Key": "slow-2"}
        first = asyncio.create_task(client.post("/api/v1/slow-notes", json={"text": "late"}, headers=headers))
        await asyncio.wait_for(entered.wait(), 5)
        await let_pending_keys_go_stale(sessionmaker)  # the first looks dead
        retry = await client.post("/api/v1/slow-notes", json={"text": "late"}, headers=headers)
        go.set()
        late = await first
        assert retry.status_code == 201
        assert late.status_code == 201 and late.json() == retry.json(), "the late one answers with the winner's"
        assert late.headers["idempotent-replayed"] == "true"
        assert await count_like(sessionmaker, "late") == 1
