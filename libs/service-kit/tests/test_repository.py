"""The repository base, the aware datetime column and the If-Match dependency, on the kit's own
test database (SQLite, or PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from fastapi import FastAPI, Response
from httpx import ASGITransport, AsyncClient
from sqlalchemy import Integer, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from service_kit.db import AwareDateTime, make_engine, new_metadata
from service_kit.etag import IfMatchDep, set_etag
from service_kit.problems import (
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    ProblemError,
    install_problem_handlers,
)
from service_kit.repository import RepositoryBase
from service_kit.testing import fresh_database_url, rolled_back_sessionmaker


class Base(DeclarativeBase):
    metadata = new_metadata()


class Visit(Base):
    __tablename__ = "visit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    who: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(AwareDateTime())


class VisitRepository(RepositoryBase[Visit]):
    model = Visit
    noun = "visit"


@pytest.fixture(scope="module")
def database_url() -> str:
    return fresh_database_url("kit_repository")


@pytest.fixture
async def session(database_url):
    engine = make_engine(database_url)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    async with rolled_back_sessionmaker(engine) as maker, maker() as session:
        yield session
    await engine.dispose()


async def test_a_time_written_in_any_zone_reads_back_aware_and_equal(session) -> None:
    beijing = timezone(timedelta(hours=8))
    written = datetime(2026, 12, 7, 20, 30, tzinfo=beijing)
    repo = VisitRepository(session)
    visit = repo.add(Visit(who="a", at=written))
    await repo.flush()
    session.expunge_all()
    read = await repo.get_or_404(visit.id)
    assert read.at.tzinfo is not None
    assert read.at == written
    assert read.at.utcoffset() == timedelta(0)


async def test_a_naive_time_is_refused_rather_than_guessed(session) -> None:
    repo = VisitRepository(session)
    repo.add(Visit(who="a", at=datetime(2026, 12, 7, 12, 0)))
    with pytest.raises(Exception, match="naive datetime"):
        await repo.flush()


async def test_comparisons_with_aware_times_hold_on_every_database(session) -> None:
    repo = VisitRepository(session)
    base = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    for hours in (0, 1, 2):
        repo.add(Visit(who=f"v{hours}", at=base + timedelta(hours=hours)))
    await repo.flush()
    later = await repo.all(repo.statement().where(Visit.at > base + timedelta(minutes=30)).order_by(Visit.at))
    assert [v.who for v in later] == ["v1", "v2"]


async def test_a_missing_record_is_a_404_naming_it(session) -> None:
    with pytest.raises(NotFound, match="No visit 999"):
        await VisitRepository(session).get_or_404(999)


async def test_pages_run_newest_first_without_repeats_or_gaps(session) -> None:
    repo = VisitRepository(session)
    at = datetime(2026, 12, 7, tzinfo=UTC)
    for i in range(7):
        repo.add(Visit(who=f"v{i}", at=at))
    await repo.flush()
    seen, cursor = [], None
    while True:
        page = await repo.page(select(Visit), cursor=cursor, limit=3)
        seen.extend(v.who for v in page.items)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == [f"v{i}" for i in reversed(range(7))]


async def test_a_cursor_the_api_never_gave_is_a_422(session) -> None:
    with pytest.raises(ProblemError) as caught:
        await VisitRepository(session).page(select(Visit), cursor="bm90LWEtY3Vyc29y", limit=3)
    assert caught.value.status == 422


def _etag_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    state = {"version": 3}

    @app.put("/thing")
    async def put_thing(if_match: IfMatchDep, response: Response) -> dict[str, int]:
        if_match.check(state["version"])
        state["version"] += 1
        set_etag(response, state["version"])
        return state

    return app


async def test_if_match_refuses_missing_and_stale_versions_and_lets_the_current_one_through() -> None:
    async with AsyncClient(transport=ASGITransport(app=_etag_app()), base_url="http://t") as c:
        missing = await c.put("/thing")
        stale = await c.put("/thing", headers={"If-Match": '"v2"'})
        current = await c.put("/thing", headers={"If-Match": '"v3"'})
    assert missing.status_code == PreconditionRequired.status
    assert stale.status_code == PreconditionFailed.status
    assert stale.headers["content-type"].startswith("application/problem+json")
    assert current.status_code == 200 and current.headers["etag"] == '"v4"'
