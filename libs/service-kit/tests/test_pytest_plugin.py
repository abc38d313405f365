"""The fixture chain the packages' suites run on: each test's writes are rolled back, and the drift
check reports a model the database lacks."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, select

from service_kit.pytest_plugin import schema_drift
from tests.conftest import metadata, note

WRITTEN = "written by the first test"


async def test_a_commit_in_the_code_under_test_stays_inside_the_test(sessionmaker):
    async with sessionmaker() as session:
        await session.execute(note.insert().values(text=WRITTEN))
        await session.commit()
    async with sessionmaker() as session:
        assert (await session.execute(select(note.c.text).where(note.c.text == WRITTEN))).scalar_one() == WRITTEN


async def test_the_next_test_does_not_see_it(sessionmaker):
    async with sessionmaker() as session:
        assert (await session.execute(select(note.c.id).where(note.c.text == WRITTEN))).first() is None


async def test_drift_is_reported_for_a_table_the_database_lacks_and_not_for_the_built_schema(engine):
    changed = MetaData()
    for table in metadata.tables.values():
        table.to_metadata(changed)
    Table("annex", changed, Column("id", Integer, primary_key=True), Column("label", String(20)))
    async with engine.connect() as conn:
        assert await conn.run_sync(schema_drift, metadata) == []
        drift = await conn.run_sync(schema_drift, changed)
    assert [(d[0], d[1].name) for d in drift] == [("add_table", "annex")]
