"""Every query of the satisfaction index: the running aggregates (kept in each rating's transaction), the
raw-table aggregate (partial months at the edges of a date range, and reconciliation), and the
complaint statistics."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias

from sqlalchemy import (
    Row,
    and_,
    case,
    delete,
    func,
    literal,
    select,
    true,
)

from feedback_api.cases.models import ResidentCase
from feedback_api.operations.models import FacilityOperation as F
from feedback_api.ratings import aggregates
from feedback_api.ratings.aggregates import (
    DIMENSION_COLUMNS,
    SUM_COLUMNS,
    RatingAggregate,
)
from feedback_api.ratings.models import DIMENSIONS, Rating
from service_kit.repository import RepositoryBase

# A result row of any shape.
AnyRow: TypeAlias = Row[*tuple[Any, ...]]

# What a ranking reads: the count, the overall sum and the satisfied count.
RANKING_COLUMNS = ("n", "overall_sum", "satisfied")
GROUPS = {
    "facility": "facility_id",
    "operator": "operator_key",
    "subdistrict": "subdistrict",
    "month": "month",
}


@dataclass(frozen=True, slots=True)
class Scope:
    """What an index is about: the whole district, one facility, one operator or one subdistrict."""

    kind: str  # district, facility, operator, subdistrict
    key: int | str | None = None


def _ranking_statement(by: str, months: list[str]) -> Any:
    """The ranking's query: per group with ratings in the months, the three sums and, per facility, its
    name, subdistrict and operator from the local map."""
    a = RatingAggregate
    key = getattr(a, GROUPS[by])
    sums = (
        select(
            key.label("group_key"),
            *(func.sum(getattr(a, c)).label(c) for c in RANKING_COLUMNS),
        )
        .where(a.month.in_(months))
        .group_by(key)
        .having(func.sum(a.n) > 0)
    )
    if by != "facility":
        return sums
    sub = sums.subquery()
    return select(sub, F.name_zh, F.subdistrict, F.operator_id).outerjoin(
        F, F.facility_id == sub.c.group_key
    )


class AggregateRepository(aggregates.AggregateRepository):
    """The index's reads of the aggregate rows (beside their upkeep), and of the raw ratings."""

    def _scope_filter(self, scope: Scope) -> list[Any]:
        if scope.kind == "facility":
            return [RatingAggregate.facility_id == scope.key]
        if scope.kind == "operator":
            return [RatingAggregate.operator_key == scope.key]
        if scope.kind == "subdistrict":
            return [RatingAggregate.subdistrict == scope.key]
        return []

    async def totals(
        self, scope: Scope, months: list[str], *, group_by: str | None = None
    ) -> Sequence[AnyRow]:
        """Sums over the aggregate rows of the given months, optionally per facility/operator/subdistrict/month."""
        if not months:
            return []
        sums = [
            func.coalesce(func.sum(getattr(RatingAggregate, c)), 0).label(c)
            for c in SUM_COLUMNS
        ]
        if group_by:
            col = getattr(RatingAggregate, GROUPS[group_by])
            stmt = select(col.label("group_key"), *sums).group_by(col)
        else:
            stmt = select(literal(None).label("group_key"), *sums)
        stmt = stmt.where(RatingAggregate.month.in_(months), *self._scope_filter(scope))
        return (await self.session.execute(stmt)).all()

    # --- the raw table: partial months, reconciliation, and the benchmark's reference ---------------

    @staticmethod
    def _raw_sums() -> list[Any]:
        r = Rating
        sat = case((r.overall >= 4, 1), else_=0)
        cols = [
            func.count().label("n"),
            func.coalesce(func.sum(r.overall), 0).label("overall_sum"),
            func.coalesce(func.sum(sat), 0).label("satisfied"),
            func.coalesce(func.sum(case((r.verified, 1), else_=0)), 0).label(
                "verified_n"
            ),
            func.coalesce(func.sum(case((r.verified, r.overall), else_=0)), 0).label(
                "verified_sum"
            ),
            func.coalesce(
                func.sum(case((and_(r.verified, r.overall >= 4), 1), else_=0)), 0
            ).label("verified_satisfied"),
        ]
        for dim in DIMENSIONS:
            n_col, sum_col = DIMENSION_COLUMNS[dim]
            column = getattr(r, dim)
            cols += [
                func.count(column).label(n_col),
                func.coalesce(func.sum(column), 0).label(sum_col),
            ]
        return cols

    def _raw_scope_filter(self, scope: Scope) -> list[Any]:
        if scope.kind == "facility":
            return [Rating.facility_id == scope.key]
        if scope.kind == "operator":
            return (
                [func.coalesce(Rating.operator_id, 0) == scope.key]
                if scope.key == 0
                else [Rating.operator_id == scope.key]
            )
        if scope.kind == "subdistrict":
            return [Rating.subdistrict == scope.key]
        return []

    async def raw_totals(
        self,
        scope: Scope,
        start: datetime,
        end: datetime,
        *,
        group_by: str | None = None,
    ) -> Sequence[AnyRow]:
        """The same sums straight from the counted ratings made in [start, end)."""
        sums = self._raw_sums()
        if group_by:
            col = {
                "facility": Rating.facility_id,
                "operator": func.coalesce(Rating.operator_id, 0),
                "subdistrict": Rating.subdistrict,
                "month": Rating.month,
            }[group_by]
            stmt = select(col.label("group_key"), *sums).group_by(col)
        else:
            stmt = select(literal(None).label("group_key"), *sums)
        stmt = stmt.where(
            Rating.live,
            Rating.status == "visible",
            Rating.created_at >= start,
            Rating.created_at < end,
            *self._raw_scope_filter(scope),
        )
        return (await self.session.execute(stmt)).all()

    async def raw_rows_by_key(
        self, months: list[str] | None
    ) -> dict[tuple[Any, ...], dict[str, Any]]:
        """What every aggregate row should hold, from the raw table (for reconciliation)."""
        op_key = func.coalesce(Rating.operator_id, 0)
        stmt = (
            select(
                Rating.month,
                Rating.target_type,
                Rating.target_id,
                op_key.label("operator_key"),
                func.min(Rating.facility_id).label("facility_id"),
                func.min(Rating.subdistrict).label("subdistrict"),
                *self._raw_sums(),
            )
            .where(Rating.live, Rating.status == "visible")
            .group_by(Rating.month, Rating.target_type, Rating.target_id, op_key)
        )
        if months is not None:
            stmt = stmt.where(Rating.month.in_(months))
        out = {}
        for row in (await self.session.execute(stmt)).mappings():
            out[
                (
                    row["month"],
                    row["target_type"],
                    row["target_id"],
                    row["operator_key"],
                )
            ] = dict(row)
        return out

    async def stored_rows_by_key(
        self, months: list[str] | None
    ) -> dict[tuple[Any, ...], dict[str, Any]]:
        stmt = select(RatingAggregate)
        if months is not None:
            stmt = stmt.where(RatingAggregate.month.in_(months))
        out = {}
        for a in (await self.session.execute(stmt)).scalars():
            out[(a.month, a.target_type, a.target_id, a.operator_key)] = {
                "facility_id": a.facility_id,
                "subdistrict": a.subdistrict,
                **{c: getattr(a, c) for c in SUM_COLUMNS},
            }
        return out

    async def replace_row(
        self, key: tuple[Any, ...], values: dict[str, Any] | None
    ) -> None:
        month, target_type, target_id, operator_key = key
        await self.session.execute(
            delete(RatingAggregate).where(
                RatingAggregate.month == month,
                RatingAggregate.target_type == target_type,
                RatingAggregate.target_id == target_id,
                RatingAggregate.operator_key == operator_key,
            )
        )
        if values is not None:
            self.session.add(
                RatingAggregate(
                    month=month,
                    target_type=target_type,
                    target_id=target_id,
                    operator_key=operator_key,
                    facility_id=values["facility_id"],
                    subdistrict=values["subdistrict"] or "",
                    **{c: int(values[c]) for c in SUM_COLUMNS},
                )
            )
        await self.session.flush()

    async def ranking_rows(self, months: list[str], by: str) -> Sequence[AnyRow]:
        """Per group with ratings over whole months, the three sums a ranking needs (n, overall_sum,
        satisfied) and, per facility, its name, subdistrict and operator from the local map: one query."""
        return (await self.session.execute(_ranking_statement(by, months))).all()

    async def facility_names(
        self, facility_ids: list[int]
    ) -> dict[int, tuple[str | None, str | None, int | None]]:
        """Name, subdistrict and operator of each facility from the local map (plain rows, no ORM objects:
        the ranking asks for every facility at once)."""
        if not facility_ids:
            return {}
        rows = await self.session.execute(
            select(F.facility_id, F.name_zh, F.subdistrict, F.operator_id)
        )
        wanted = set(facility_ids)
        return {
            r.facility_id: (r.name_zh, r.subdistrict, r.operator_id)
            for r in rows
            if r.facility_id in wanted
        }


class CaseStatsRepository(RepositoryBase[ResidentCase]):
    """The complaint figures of the index, read from the cases."""

    model = ResidentCase
    noun = "case"

    async def complaint_stats(
        self,
        scope: Scope,
        start: datetime,
        end: datetime,
        now: datetime,
        *,
        not_answered_by_operator: tuple[str, ...] = (),
    ) -> AnyRow:
        """Complaints filed in [start, end): how many, how many were answered by their deadline, how many
        are decided (answered, or past their deadline unanswered), and the residents' ratings of the answers.

        For an operator, the complaints about itself count among its complaints but not among those it
        answered (the bureau answers them, `not_answered_by_operator`): its on-time figures are its own."""
        c = ResidentCase
        awaiting = c.status.in_(("submitted", "accepted", "assigned", "reopened"))
        answering = (
            c.category.not_in(not_answered_by_operator)
            if scope.kind == "operator" and not_answered_by_operator
            else true()
        )
        decided = case(
            (and_(answering, c.first_responded_at.is_not(None)), 1),
            (and_(answering, awaiting, c.due_at.is_not(None), c.due_at < now), 1),
            else_=0,
        )
        stmt = select(
            func.count().label("complaints"),
            func.coalesce(
                func.sum(
                    case((and_(answering, c.responded_on_time.is_(True)), 1), else_=0)
                ),
                0,
            ).label("on_time"),
            func.coalesce(func.sum(decided), 0).label("decided"),
            func.count(case((answering, c.answer_rating))).label("rated"),
            func.coalesce(
                func.sum(case((answering, c.answer_rating), else_=0)), 0
            ).label("rating_sum"),
        ).where(c.kind == "complaint", c.created_at >= start, c.created_at < end)
        if scope.kind == "facility":
            stmt = stmt.where(c.facility_id == scope.key)
        elif scope.kind == "operator":
            stmt = stmt.where(c.operator_id == scope.key)
        elif scope.kind == "subdistrict":
            stmt = stmt.where(c.subdistrict == scope.key)
        return (await self.session.execute(stmt)).one()
