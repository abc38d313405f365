from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    Row,
    RowMapping,
    bindparam,
    case,
    func,
    insert,
    literal,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from feedback_api.ratings.models import DIMENSIONS, Rating


@dataclass(frozen=True, slots=True)
class RatingFilter:
    target_type: str | None = None
    target_id: int | None = None
    facility_id: int | None = None
    period: str | None = None
    verified: bool | None = None


class RatingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, rating_id: int, *, for_update: bool = False) -> Rating | None:
        if not for_update:
            return await self.session.get(Rating, rating_id)
        stmt = select(Rating).where(Rating.id == rating_id).with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def list_public(
        self, f: RatingFilter, *, before_id: int | None, limit: int
    ) -> Sequence[Rating]:
        """Live ratings the public sees: not hidden, not held in a suspected burst."""
        stmt = (
            select(Rating)
            .where(Rating.live, Rating.status == "visible")
            .order_by(Rating.id.desc())
            .limit(limit)
        )
        if before_id is not None:
            stmt = stmt.where(Rating.id < before_id)
        if f.target_type:
            stmt = stmt.where(Rating.target_type == f.target_type)
        if f.target_id is not None:
            stmt = stmt.where(Rating.target_id == f.target_id)
        if f.facility_id is not None:
            stmt = stmt.where(Rating.facility_id == f.facility_id)
        if f.period:
            stmt = stmt.where(Rating.period == f.period)
        if f.verified is not None:
            stmt = stmt.where(Rating.verified.is_(f.verified))
        return (await self.session.execute(stmt)).scalars().all()

    async def list_by_resident(
        self, resident_sub: str, *, before_id: int | None, limit: int
    ) -> Sequence[Rating]:
        stmt = (
            select(Rating)
            .where(Rating.resident_sub == resident_sub)
            .order_by(Rating.id.desc())
            .limit(limit)
        )
        if before_id is not None:
            stmt = stmt.where(Rating.id < before_id)
        return (await self.session.execute(stmt)).scalars().all()

    async def list_for_review(
        self,
        *,
        kind: str | None,
        before_id: int | None,
        limit: int,
        subdistrict: str | None = None,
    ) -> Sequence[Rating]:
        """The moderation queue: comments waiting for a decision and ratings held in a burst (of one
        subdistrict's facilities, when given)."""
        pending = Rating.comment_status == "pending"
        held = Rating.status == "held"
        condition = (
            pending
            if kind == "comments"
            else held
            if kind == "held"
            else or_(pending, held)
        )
        stmt = (
            select(Rating)
            .where(or_(pending, held))
            .where(condition)
            .order_by(Rating.id.desc())
            .limit(limit)
        )
        if before_id is not None:
            stmt = stmt.where(Rating.id < before_id)
        if subdistrict is not None:
            stmt = stmt.where(Rating.subdistrict == subdistrict)
        return (await self.session.execute(stmt)).scalars().all()

    async def recent_matches(
        self,
        *,
        target_type: str,
        target_id: int,
        since: datetime,
        cap: int,
        network: str | None,
    ) -> Row:
        """In the burst window of one target: how many live, not hidden ratings came from new accounts and
        from this network, counting at most `cap` rows (a bounded index range scan)."""
        window = (
            select(Rating.new_account, Rating.client_network)
            .where(
                Rating.target_type == target_type,
                Rating.target_id == target_id,
                Rating.created_at >= since,
                Rating.live,
                Rating.status != "hidden",
            )
            .order_by(Rating.created_at.desc())
            .limit(cap)
            .subquery()
        )
        same_network = (
            window.c.client_network == network if network is not None else None
        )
        stmt = select(
            func.count(case((window.c.new_account, 1))).label("new_accounts"),
            (
                func.count(case((same_network, 1)))
                if same_network is not None
                else literal(0)
            ).label("one_network"),
        ).select_from(window)
        return (await self.session.execute(stmt)).one()

    async def recent_on_target(
        self, *, target_type: str, target_id: int, since: datetime
    ) -> Sequence[Rating]:
        """Live, not hidden ratings of one target made since a moment (the burst window), locked."""
        stmt = (
            select(Rating)
            .where(
                Rating.target_type == target_type,
                Rating.target_id == target_id,
                Rating.created_at >= since,
                Rating.live,
                Rating.status != "hidden",
            )
            .with_for_update()
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def in_burst(self, burst_id: int) -> Sequence[Rating]:
        stmt = (
            select(Rating)
            .where(Rating.burst_id == burst_id, Rating.status == "held")
            .with_for_update()
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def summary(self, *, target_type: str, target_id: int, period: str) -> Row:
        """One aggregate over the counted ratings of one target in one quarter (an index range scan)."""
        columns = [
            func.count(Rating.id).label("count"),
            func.coalesce(func.sum(Rating.overall), 0).label("overall_sum"),
            *(
                func.count(case((Rating.overall == score, 1))).label(f"overall_{score}")
                for score in range(1, 6)
            ),
        ]
        for name in DIMENSIONS:
            column = getattr(Rating, name)
            columns += [
                func.count(column).label(f"{name}_count"),
                func.coalesce(func.sum(column), 0).label(f"{name}_sum"),
            ]
        stmt = select(*columns).where(
            Rating.live,
            Rating.status == "visible",
            Rating.target_type == target_type,
            Rating.target_id == target_id,
            Rating.period == period,
        )
        return (await self.session.execute(stmt)).one()

    # --- the write path: set-based statements for one rating or a batch of them ----------------------

    async def activity_of_residents(
        self, resident_subs: Sequence[str], *, hour_ago: datetime, day_ago: datetime
    ) -> dict[str, RowMapping]:
        """For the per-resident limits and the new-account test, per resident in one grouped query: ratings in
        the last hour and day, and the first rating ever (residents with no rating are absent)."""
        params = {
            "subs": sorted(set(resident_subs)),
            "hour_ago": hour_ago,
            "day_ago": day_ago,
        }
        return {
            row.resident_sub: row._mapping
            for row in await self.session.execute(_ACTIVITY_OF_RESIDENTS, params)
        }

    async def live_many(
        self, keys: Sequence[tuple[str, str, int, str]]
    ) -> Sequence[Rating]:
        """The live ratings of several (resident, target type, target id, period), locked until the
        transaction ends (the slot a new rating takes)."""
        if not keys:
            return []
        slots = [(tt, tid, period, sub) for sub, tt, tid, period in keys]
        return (
            (await self.session.execute(_LIVE_MANY, {"slots": slots})).scalars().all()
        )

    async def retire(self, replaced: Sequence[tuple[int, datetime]]) -> None:
        """Take (rating id, moment) ratings out of the live slot, before their replacements are inserted."""
        table = Rating.__table__
        stmt = (
            update(table)
            .where(table.c.id == bindparam("rating_id"))
            .values(live=False, replaced_at=bindparam("moment"))
        )
        await self.session.execute(
            stmt, [{"rating_id": rid, "moment": at} for rid, at in replaced]
        )

    async def link_replacements(self, pairs: Sequence[tuple[int, int]]) -> None:
        """(old id, new id): the old rating names the one that replaced it."""
        table = Rating.__table__
        stmt = (
            update(table)
            .where(table.c.id == bindparam("rating_id"))
            .values(replaced_by=bindparam("new_id"))
        )
        await self.session.execute(
            stmt, [{"rating_id": old, "new_id": new} for old, new in pairs]
        )

    async def insert_many(self, rows: Sequence[dict]) -> list[int]:
        """Insert rows (same keys each) in one statement; their ids, in the order given."""
        table = Rating.__table__
        stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        result = await self.session.execute(stmt, list(rows))
        return [row[0] for row in result]

    async def window_counts(
        self, targets: Sequence[tuple[str, int]], *, since: datetime, cap: int
    ) -> Sequence[RowMapping]:
        """For the burst rule over several targets at once: of each target's `cap` most recent live, not
        hidden ratings since a moment, per client network how many, and how many came from new accounts."""
        params = {"targets": sorted(set(targets)), "since": since, "cap": cap}
        return (await self.session.execute(_WINDOW_COUNTS, params)).mappings().all()

    async def statuses(
        self, rating_ids: Sequence[int]
    ) -> dict[int, tuple[str, int | None]]:
        stmt = select(Rating.id, Rating.status, Rating.burst_id).where(
            Rating.id.in_(list(rating_ids))
        )
        return {
            row.id: (row.status, row.burst_id)
            for row in await self.session.execute(stmt)
        }

    def add(self, rating: Rating) -> None:
        self.session.add(rating)

    async def flush(self) -> None:
        await self.session.flush()


# The batch writer's reads, built once: the writer runs them for every batch, and building a statement
# costs more Python than executing it (the lists are expanding parameters, filled at each execution).
_ACTIVITY_OF_RESIDENTS = (
    select(
        Rating.resident_sub,
        func.count(case((Rating.created_at >= bindparam("hour_ago"), 1))).label(
            "last_hour"
        ),
        func.count(case((Rating.created_at >= bindparam("day_ago"), 1))).label(
            "last_day"
        ),
        func.min(Rating.created_at).label("first_at"),
        func.min(
            case((Rating.created_at >= bindparam("hour_ago"), Rating.created_at))
        ).label("oldest_in_hour"),
        func.min(
            case((Rating.created_at >= bindparam("day_ago"), Rating.created_at))
        ).label("oldest_in_day"),
    )
    .where(Rating.resident_sub.in_(bindparam("subs", expanding=True)))
    .group_by(Rating.resident_sub)
)
_LIVE_MANY = (
    select(Rating)
    .where(
        Rating.live,
        tuple_(
            Rating.target_type, Rating.target_id, Rating.period, Rating.resident_sub
        ).in_(bindparam("slots", expanding=True)),
    )
    .order_by(Rating.id)
    .with_for_update()
)
# The most recent `cap` ratings of each target in the window (as detect_burst counts them), grouped.
_IN_WINDOW = (
    select(
        Rating.target_type,
        Rating.target_id,
        Rating.client_network,
        Rating.new_account,
        func.row_number()
        .over(
            partition_by=(Rating.target_type, Rating.target_id),
            order_by=Rating.created_at.desc(),
        )
        .label("recency"),
    )
    .where(
        tuple_(Rating.target_type, Rating.target_id).in_(
            bindparam("targets", expanding=True)
        ),
        Rating.created_at >= bindparam("since"),
        Rating.live,
        Rating.status != "hidden",
    )
    .subquery()
)
_WINDOW_COUNTS = (
    select(
        _IN_WINDOW.c.target_type,
        _IN_WINDOW.c.target_id,
        _IN_WINDOW.c.client_network,
        func.count().label("n"),
        func.count(case((_IN_WINDOW.c.new_account, 1))).label("new_accounts"),
    )
    .where(_IN_WINDOW.c.recency <= bindparam("cap"))
    .group_by(
        _IN_WINDOW.c.target_type, _IN_WINDOW.c.target_id, _IN_WINDOW.c.client_network
    )
)
