"""The rating aggregates: running totals of the counted ratings per target, month and operator, the
ratings' derived data. Kept in each rating's transaction (and by a moderation decision or a check-in
that changes what counts) through `AggregateRepository` here; the satisfaction index reads them."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Index, Integer, String, Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from feedback_api.db import Base
from feedback_api.ratings.models import Rating

# Sums kept per dimension: (count, sum) column pairs.
DIMENSION_COLUMNS = {
    "environment": ("environment_n", "environment_sum"),
    "content": ("content_n", "content_sum"),
    "staff": ("staff_n", "staff_sum"),
    "convenience": ("convenience_n", "convenience_sum"),
}


class RatingAggregate(Base):
    """Running totals of the counted ratings (live and visible) of one target in one month, under one
    operator: kept up to date in each rating's transaction, so the index never scans raw ratings.
    `operator_key` is the operator's id, or 0 for a government-run facility."""

    __tablename__ = "rating_aggregate"
    __table_args__ = (
        Index("ix_rating_aggregate_facility_id_month", "facility_id", "month"),
        Index("ix_rating_aggregate_operator_key_month", "operator_key", "month"),
        Index("ix_rating_aggregate_subdistrict_month", "subdistrict", "month"),
    )

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    target_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    target_id: Mapped[int] = mapped_column(
        Integer, primary_key=True, autoincrement=False
    )
    operator_key: Mapped[int] = mapped_column(
        Integer, primary_key=True, autoincrement=False
    )
    facility_id: Mapped[int] = mapped_column(Integer)
    subdistrict: Mapped[str] = mapped_column(String(50))
    n: Mapped[int] = mapped_column(Integer, default=0)
    overall_sum: Mapped[int] = mapped_column(Integer, default=0)
    satisfied: Mapped[int] = mapped_column(
        Integer, default=0, comment="ratings with overall 4 or 5"
    )
    verified_n: Mapped[int] = mapped_column(Integer, default=0)
    verified_sum: Mapped[int] = mapped_column(Integer, default=0)
    verified_satisfied: Mapped[int] = mapped_column(Integer, default=0)
    environment_n: Mapped[int] = mapped_column(Integer, default=0)
    environment_sum: Mapped[int] = mapped_column(Integer, default=0)
    content_n: Mapped[int] = mapped_column(Integer, default=0)
    content_sum: Mapped[int] = mapped_column(Integer, default=0)
    staff_n: Mapped[int] = mapped_column(Integer, default=0)
    staff_sum: Mapped[int] = mapped_column(Integer, default=0)
    convenience_n: Mapped[int] = mapped_column(Integer, default=0)
    convenience_sum: Mapped[int] = mapped_column(Integer, default=0)


KEY = ("month", "target_type", "target_id", "operator_key")
SUM_COLUMNS = (
    "n",
    "overall_sum",
    "satisfied",
    "verified_n",
    "verified_sum",
    "verified_satisfied",
    *(c for pair in DIMENSION_COLUMNS.values() for c in pair),
)


def contribution(
    r: Rating, sign: int, *, verified_only: bool = False
) -> dict[str, int]:
    """What one rating adds to (sign 1) or takes from (sign -1) its aggregate row."""
    sat = 1 if r.overall >= 4 else 0
    values = dict.fromkeys(SUM_COLUMNS, 0)
    if r.verified or verified_only:
        values.update(
            verified_n=sign,
            verified_sum=sign * r.overall,
            verified_satisfied=sign * sat,
        )
    if verified_only:
        return values
    values.update(n=sign, overall_sum=sign * r.overall, satisfied=sign * sat)
    for dim, (n_col, sum_col) in DIMENSION_COLUMNS.items():
        score = getattr(r, dim)
        if score is not None:
            values[n_col] = sign
            values[sum_col] = sign * score
    return values


def merged_changes(changes: Iterable[tuple[Any, int]]) -> list[dict[str, Any]]:
    """(rating, sign) contributions merged per aggregate row: the rows an upsert adds, in key order."""
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r, sign in changes:
        key = (r.month, r.target_type, r.target_id, r.operator_id or 0)
        row = merged.get(key)
        if row is None:
            row = merged[key] = {
                **dict(zip(KEY, key, strict=True)),
                "facility_id": r.facility_id,
                "subdistrict": r.subdistrict or "",
                **dict.fromkeys(SUM_COLUMNS, 0),
            }
        for column, value in contribution(r, sign).items():
            row[column] += value
    return [merged[k] for k in sorted(merged)]


@functools.cache
def _upsert(dialect: str) -> Any:
    """The aggregate rows' upsert: each sum column adds what the row brings."""
    table = RatingAggregate.__table__
    assert isinstance(table, Table)
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    changed = {c: table.c[c] + stmt.excluded[c] for c in SUM_COLUMNS}
    return stmt.on_conflict_do_update(index_elements=list(KEY), set_=changed)


class AggregateRepository:
    """The upkeep of the aggregate rows: a rating added to its row, or taken away."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _insert(self) -> Callable[..., Any]:
        return (
            pg_insert
            if self.session.get_bind().dialect.name == "postgresql"
            else sqlite_insert
        )

    async def apply(self, r: Rating, sign: int, *, verified_only: bool = False) -> None:
        """Add a rating to its month's row (or take it away): one upsert, atomic under concurrency."""
        values = contribution(r, sign, verified_only=verified_only)
        stmt = self._insert()(RatingAggregate).values(
            month=r.month,
            target_type=r.target_type,
            target_id=r.target_id,
            operator_key=r.operator_id or 0,
            facility_id=r.facility_id,
            subdistrict=r.subdistrict or "",
            **values,
        )
        changed = {
            c: getattr(RatingAggregate, c) + getattr(stmt.excluded, c)
            for c, v in values.items()
            if v
        }
        await self.session.execute(
            stmt.on_conflict_do_update(index_elements=list(KEY), set_=changed)
        )

    async def apply_many(self, changes: Iterable[tuple[Any, int]]) -> None:
        """apply() for several (rating, sign) at once: contributions merged per aggregate row in Python,
        then one upsert executed for every row, in key order (concurrent writers lock rows in the same order)."""
        rows = merged_changes(changes)
        if not rows:
            return
        # One statement whatever the batch size (built once per dialect, executed for each row in one go).
        await self.session.execute(_upsert(self.session.get_bind().dialect.name), rows)
