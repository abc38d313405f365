"""What one booking costs the database: in the hot second of a popular activity every statement of the
booking is paid two thousand times, so the count is part of the contract (see bench/bookings)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """The statements sent while inside, by their first word (savepoints of the test's transaction aside)."""
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        word = statement.split(None, 1)[0].upper()
        if word not in ("SAVEPOINT", "RELEASE", "ROLLBACK"):
            seen.append(word)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


async def test_a_booking_writes_its_row_once(world, engine):
    """The activity, the resident's earlier booking, the seats, the booking, its event: the booking's
    row is written once with its final status, confirmed or waitlisted (then its place in line)."""
    f = await world.facility()
    a = await world.activity(f["id"], capacity=1)
    with statements(engine) as confirmed:
        assert (await world.book(a["id"], world.resident(1)))["status"] == "confirmed"
    with statements(engine) as waitlisted:
        b = await world.book(a["id"], world.resident(2))
    assert (b["status"], b["waitlist_position"]) == ("waitlisted", 1)
    assert confirmed == ["SELECT", "SELECT", "UPDATE", "INSERT", "INSERT"]
    assert waitlisted == ["SELECT", "SELECT", "UPDATE", "INSERT", "SELECT", "INSERT"]
