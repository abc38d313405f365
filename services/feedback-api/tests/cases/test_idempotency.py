"""Filing a case with an Idempotency-Key: the case and the key's answer are saved together, so a
retry after the process was killed in between never files a second case."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from feedback_api.cases.models import ResidentCase
from feedback_api.db import infra
from service_kit.testing import KilledBetween, age_pending_idempotency_keys
from tests.factories import case_body


@pytest.fixture
def killed(engine) -> Iterator:
    made: list[KilledBetween] = []

    def arm(*, dies: bool = True) -> KilledBetween:
        made.append(
            KilledBetween(
                engine,
                change_table="resident_case",
                at_table="idempotency_record",
                dies=dies,
            )
        )
        return made[-1]

    yield arm
    for k in made:
        k.remove()


async def cases_of(sessionmaker, sub: str) -> int:
    async with sessionmaker() as session:
        return (
            await session.execute(
                select(func.count())
                .select_from(ResidentCase)
                .where(ResidentCase.resident_sub == sub)
            )
        ).scalar_one()


class TestFilingACaseWithAnIdempotencyKey:
    async def test_a_crash_between_the_case_and_its_key_never_files_a_second_case(
        self, client, auth, killed, sessionmaker
    ):
        headers = {**auth(sub="r-crash"), "Idempotency-Key": "file-once-1"}
        crash = killed()
        await client.post("/api/v1/cases", json=case_body(), headers=headers)
        assert crash.fired, "the process was killed after the case was written"
        crash.remove()
        await age_pending_idempotency_keys(
            sessionmaker, infra.idempotency_record
        )  # the retry comes after the pending key would have expired

        retry = await client.post("/api/v1/cases", json=case_body(), headers=headers)
        again = await client.post("/api/v1/cases", json=case_body(), headers=headers)

        assert retry.status_code == 201, retry.text
        assert await cases_of(sessionmaker, "r-crash") == 1
        assert again.status_code == 201
        assert again.json()["id"] == retry.json()["id"]
        assert again.headers["idempotent-replayed"] == "true"

    async def test_when_the_commit_fails_the_resident_is_told_and_nothing_is_filed(
        self, client, auth, killed, sessionmaker
    ):
        headers = {**auth(sub="r-fail"), "Idempotency-Key": "file-once-2"}
        failing = killed(dies=False)
        first = await client.post("/api/v1/cases", json=case_body(), headers=headers)
        assert failing.fired
        assert first.status_code == 500
        assert await cases_of(sessionmaker, "r-fail") == 0
        retry = await client.post("/api/v1/cases", json=case_body(), headers=headers)
        assert retry.status_code == 201
        assert await cases_of(sessionmaker, "r-fail") == 1
