"""The ratings' queries: one repository for the `rating` table."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Integer,
    Row,
    Select,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.elements import BindParameter

from feedback_api.operations.models import Checkin, FacilityOperation
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
            await self.session.execute(_LOCK_RESIDENT, {"sub": resident_sub})

    async def facts(
        self,
        *,
        resident_sub: str,
        target_type: str,
        target_id: int,
        facility_id: int,
        period: str,
        hour_ago: datetime,
        day_ago: datetime,
        network: str | None,
        burst_since: datetime,
        burst_cap: int,
    ) -> Facts:
        """What a new rating needs to know, in one statement: the resident's activity (the limits, the
        new-account flag), whether a check-in verifies the rating, the facility's operator in the local
        map, the resident's live rating of the target in the period (the slot the new rating takes; not
        locked here: `retire` locks it), and for the burst rule, of the target's `burst_cap` latest live,
        not hidden ratings since `burst_since`, how many came from new accounts and from `network`."""
        params = {
            "sub": resident_sub,
            "target_type": target_type,
            "target_id": target_id,
            "facility_id": facility_id,
            "period": period,
            "hour_ago": hour_ago,
            "day_ago": day_ago,
            "network": network,
            "since": burst_since,
            "cap": burst_cap,
        }
        stmt = _facts_statement(at_activity=target_type == "activity")
        row = (await self.session.execute(stmt, params)).one()
        m = row._mapping
        return Facts(
            activity={name: m[name] for name in ACTIVITY_COLUMNS},
            checked_in=bool(m["checked_in"]),
            operator_id=m["operator_id"],
            subdistrict=m["op_subdistrict"],
            mapped=m["op_subdistrict"] is not None and m["op_name_zh"] is not None,
            live=row.Rating,
            window_new_accounts=m["window_new_accounts"],
            window_one_network=m["window_one_network"],
        )

    async def retire(self, rating: Rating, *, at: datetime) -> bool:
        """Take a live rating out of its slot (before its replacement is inserted), locking it until the
        transaction ends; its status is read back as the update found it (moderation may have changed it
        since it was read). False when it was not live any more."""
        stmt = (
            update(Rating)
            .where(Rating.id == rating.id, Rating.live)
            .values(live=False, replaced_at=at)
            .returning(Rating.status)
            .execution_options(synchronize_session=False)
        )
        status = (await self.session.execute(stmt)).scalar_one_or_none()
        if status is None:
            return False
        for name, value in (("live", False), ("replaced_at", at), ("status", status)):
            set_committed_value(rating, name, value)
        return True


@dataclass(frozen=True, slots=True)
class Facts:
    """What RatingRepository.facts found for a new rating."""

    activity: dict[str, Any]  # ACTIVITY_COLUMNS, as abuse.Activity takes them
    checked_in: bool
    operator_id: int | None
    subdistrict: str | None
    mapped: bool  # the facility is in the local operation map, with its subdistrict and name
    live: Rating | None  # the resident's live rating of the target in the period
    # in the target's burst window, before the new rating: from new accounts, from the rating's network
    window_new_accounts: int
    window_one_network: int


ACTIVITY_COLUMNS = (
    "last_hour",
    "last_day",
    "first_at",
    "oldest_in_hour",
    "oldest_in_day",
)


@functools.cache
def _facts_statement(*, at_activity: bool) -> Select[Any]:
    """RatingRepository.facts' statement, built once per kind of target (building a statement costs more
    Python than running it): one row of the resident's activity, joined to the facility's operation (if
    mapped), to the burst window's counts and to the live rating in the slot (if any)."""
    sub: BindParameter[str] = bindparam("sub")
    since_hour = Rating.created_at >= bindparam("hour_ago")
    since_day = Rating.created_at >= bindparam("day_ago")
    activity = (
        select(
            func.count(case((since_hour, 1))).label("last_hour"),
            func.count(case((since_day, 1))).label("last_day"),
            func.min(Rating.created_at).label("first_at"),
            func.min(case((since_hour, Rating.created_at))).label("oldest_in_hour"),
            func.min(case((since_day, Rating.created_at))).label("oldest_in_day"),
        )
        .where(Rating.resident_sub == sub)
        .subquery("activity")
    )
    at = (
        Checkin.activity_id == bindparam("target_id")
        if at_activity
        else Checkin.facility_id == bindparam("facility_id")
    )
    checked_in = exists().where(Checkin.resident_sub == sub, at)
    operation = (
        select(
            FacilityOperation.operator_id,
            FacilityOperation.subdistrict,
            FacilityOperation.name_zh,
        )
        .where(FacilityOperation.facility_id == bindparam("facility_id"))
        .subquery("operation")
    )
    latest = (
        select(Rating.new_account, Rating.client_network)
        .where(
            Rating.target_type == bindparam("target_type"),
            Rating.target_id == bindparam("target_id"),
            Rating.created_at >= bindparam("since"),
            Rating.live,
            Rating.status != "hidden",
        )
        .order_by(Rating.created_at.desc())
        .limit(bindparam("cap", type_=Integer))
        .subquery("latest")
    )
    window = select(
        func.count(case((latest.c.new_account, 1))).label("window_new_accounts"),
        func.count(case((latest.c.client_network == bindparam("network"), 1))).label(
            "window_one_network"
        ),
    ).subquery("window")
    slot = and_(
        Rating.live,
        Rating.target_type == bindparam("target_type"),
        Rating.target_id == bindparam("target_id"),
        Rating.period == bindparam("period"),
        Rating.resident_sub == sub,
    )
    return (
        select(
            activity,
            checked_in.label("checked_in"),
            operation.c.operator_id,
            operation.c.subdistrict.label("op_subdistrict"),
            operation.c.name_zh.label("op_name_zh"),
            window.c.window_new_accounts,
            window.c.window_one_network,
            Rating,
        )
        .select_from(activity)
        .join(window, true())
        .outerjoin(operation, true())
        .outerjoin(Rating, slot)
    )


# Two-key advisory locks on the resident (their key space is apart from the outbox's one-key lock).
RESIDENT_LOCK_CLASS = 0x52415445  # "RATE"
# Built once: building a statement costs more Python than running it.
_LOCK_RESIDENT = select(
    func.pg_advisory_xact_lock(
        literal(RESIDENT_LOCK_CLASS), func.hashtext(bindparam("sub"))
    )
)
