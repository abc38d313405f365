"""The ratings' queries: one repository for the `rating` table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, RowMapping, bindparam, case, func, literal, or_, select

from feedback_api.ratings.models import DIMENSIONS, Rating
from service_kit.repository import RepositoryBase, Slice

# A row of an aggregate query, read by its labels.
AnyRow = Row[*tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class RatingFilter:
    target_type: str | None = None
    target_id: int | None = None
    facility_id: int | None = None
    period: str | None = None
    verified: bool | None = None


class RatingRepository(RepositoryBase[Rating]):
    """Every query of ratings: the public and own lists, the moderation queue, the burst rule's
    windows, a target's summary, and the write of one rating (its resident's activity, the live rating
    it replaces)."""

    model = Rating
    noun = "rating"

    async def list_public(
        self, f: RatingFilter, *, cursor: str | None, limit: int
    ) -> Slice[Rating]:
        """Live ratings the public sees: not hidden, not held in a suspected burst."""
        stmt = self.statement().where(Rating.live, Rating.status == "visible")
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
        return await self.page(stmt, cursor=cursor, limit=limit)

    async def list_by_resident(
        self, resident_sub: str, *, cursor: str | None, limit: int
    ) -> Slice[Rating]:
        stmt = self.statement().where(Rating.resident_sub == resident_sub)
        return await self.page(stmt, cursor=cursor, limit=limit)

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
    ) -> AnyRow:
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

    async def summary(self, *, target_type: str, target_id: int, period: str) -> AnyRow:
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

    # --- the write of one rating -----------------------------------------------------------------------

    async def lock_resident(self, resident_sub: str) -> None:
        """Until the transaction ends, the resident's other ratings wait (PostgreSQL: a transaction-level
        advisory lock on the resident; SQLite has one writer at a time already), so the per-resident
        limits count every rating the resident made before this one."""
        if self.session.get_bind().dialect.name == "postgresql":
            await self.session.execute(
                select(
                    func.pg_advisory_xact_lock(
                        literal(RESIDENT_LOCK_CLASS), func.hashtext(resident_sub)
                    )
                )
            )

    async def activity_of(
        self, resident_sub: str, *, hour_ago: datetime, day_ago: datetime
    ) -> RowMapping:
        """For the per-resident limits and the new-account test: the resident's ratings in the last hour
        and day, the oldest of each, and the first rating ever (an index range scan)."""
        params = {"sub": resident_sub, "hour_ago": hour_ago, "day_ago": day_ago}
        found: RowMapping = (
            (await self.session.execute(_ACTIVITY, params)).mappings().one()
        )
        return found

    async def live_in_slot(
        self, *, resident_sub: str, target_type: str, target_id: int, period: str
    ) -> Rating | None:
        """The resident's live rating of the target in the period (the slot a new rating takes), locked
        until the transaction ends."""
        stmt = (
            self.statement()
            .where(
                Rating.live,
                Rating.target_type == target_type,
                Rating.target_id == target_id,
                Rating.period == period,
                Rating.resident_sub == resident_sub,
            )
            .with_for_update()
        )
        return await self.one_or_none(stmt)


# Two-key advisory locks on the resident (their key space is apart from the outbox's one-key lock).
RESIDENT_LOCK_CLASS = 0x52415445  # "RATE"
# Run before every rating: built once (building a statement costs more Python than executing it).
_ACTIVITY = select(
    func.count(case((Rating.created_at >= bindparam("hour_ago"), 1))).label(
        "last_hour"
    ),
    func.count(case((Rating.created_at >= bindparam("day_ago"), 1))).label("last_day"),
    func.min(Rating.created_at).label("first_at"),
    func.min(
        case((Rating.created_at >= bindparam("hour_ago"), Rating.created_at))
    ).label("oldest_in_hour"),
    func.min(
        case((Rating.created_at >= bindparam("day_ago"), Rating.created_at))
    ).label("oldest_in_day"),
).where(Rating.resident_sub == bindparam("sub"))
