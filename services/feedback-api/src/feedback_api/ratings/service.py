"""Use cases of ratings: rate (or re-rate) a target, read ratings publicly and one's own, the operator's
reply, and a target's summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from feedback_api.clients.facilities import FacilitiesClient, FacilityRef
from feedback_api.events import outbox
from feedback_api.operations.service import operations_for
from feedback_api.pagination import id_cursor
from feedback_api.periods import month_of, quarter_of
from feedback_api.ratings import abuse
from feedback_api.ratings.aggregates import AggregateRepository
from feedback_api.ratings.exceptions import RatingConflict, ReplyExists
from feedback_api.ratings.filter import CommentFilter
from feedback_api.ratings.models import DIMENSIONS, Rating
from feedback_api.ratings.repository import RatingFilter, RatingRepository
from feedback_api.ratings.schemas import RatingCreate, is_author
from feedback_api.settings import Settings
from feedback_api.targets import resolve
from service_kit.auth import Principal
from service_kit.clock import Clock
from service_kit.events.outbox import PendingEvent
from service_kit.problems import Forbidden, NotFound
from service_kit.repository import Slice

TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Saved:
    """A saved rating, and the live rating it replaced (None: it is the first in its slot)."""

    rating: Rating
    replaced: Rating | None


async def rate(
    session: AsyncSession,
    *,
    principal: Principal,
    data: RatingCreate,
    facilities: FacilitiesClient,
    comment_filter: CommentFilter,
    settings: Settings,
    clock: Clock,
    network: str | None,
) -> Saved:
    """Save the resident's rating of a target for the current quarter, replacing their live rating of it.

    The target is checked with facilities-api before anything is written. Then, in one transaction: the
    resident's limits (429), the check-in that verifies it, the live rating it replaces, the rating with
    its aggregate row, the burst rule, the events; one commit. Two requests racing to be the first live
    rating of a slot: the unique index refuses the second, which runs once more and replaces the first."""
    now = clock.now()
    target = await resolve(
        facilities,
        target_type=data.target_type,
        target_id=data.target_id,
        facility_id=data.facility_id,
        now=now,
    )
    for attempt in (1, 2):
        try:
            return await _save(
                session,
                principal=principal,
                data=data,
                facility=target.facility,
                comment_filter=comment_filter,
                settings=settings,
                now=now,
                network=network,
            )
        except IntegrityError:
            await session.rollback()
            if attempt == 2:
                raise RatingConflict() from None
    raise AssertionError("unreachable")


async def _save(
    session: AsyncSession,
    *,
    principal: Principal,
    data: RatingCreate,
    facility: FacilityRef,
    comment_filter: CommentFilter,
    settings: Settings,
    now: datetime,
    network: str | None,
) -> Saved:
    repo = RatingRepository(session)
    sub, period = principal.sub, quarter_of(now)
    await repo.lock_resident(sub)
    facts = await repo.facts(
        resident_sub=sub,
        target_type=data.target_type,
        target_id=data.target_id,
        facility_id=facility.id,
        period=period,
        hour_ago=now - abuse.HOUR,
        day_ago=now - abuse.DAY,
        network=network,
        burst_since=now - abuse.burst_window(settings),
        burst_cap=abuse.burst_cap(settings),
    )
    new_account = abuse.judge(
        abuse.Activity(**facts.activity), now=now, settings=settings
    )
    operator_id, subdistrict = facts.operator_id, facts.subdistrict
    if not facts.mapped:  # asks facilities-api's answer into the local map
        operations = await operations_for(session, {facility.id: facility}, now=now)
        operator_id, subdistrict = operations[facility.id]
    filtered = await comment_filter.check(session, data.comment)
    old = facts.live
    changes: list[tuple[Rating, int]] = []
    if old is not None:
        # frees the slot before the new rating takes it; the status as the update found it decides
        # whether the old rating's contribution leaves the index
        if not await repo.retire(old, at=now):
            raise RatingConflict()  # another request replaced it meanwhile
        if old.status == "visible":  # it was live: it counted
            changes.append((old, -1))
    rating = repo.add(
        Rating(
            resident_sub=sub,
            target_type=data.target_type,
            target_id=data.target_id,
            facility_id=facility.id,
            subdistrict=subdistrict or facility.subdistrict,
            operator_id=operator_id,
            period=period,
            month=month_of(now),
            overall=data.overall,
            **{d: getattr(data.dimensions, d) for d in DIMENSIONS},
            comment=filtered.text,
            comment_status=filtered.status,
            status="visible",
            verified=facts.checked_in,
            new_account=new_account,
            client_network=network,
            live=True,
            created_at=now,
        )
    )
    await repo.flush()
    await AggregateRepository(session).apply_many([(rating, 1), *changes])
    if abuse.may_complete_burst(
        rating,
        window_new_accounts=facts.window_new_accounts,
        window_one_network=facts.window_one_network,
        replaced=old is not None,
        settings=settings,
    ):
        await abuse.detect_burst(session, rating, now=now, settings=settings)
    events = [
        PendingEvent(
            "rating.created",
            event_data(rating, replaces=old.id if old is not None else None),
            subject=f"rating/{rating.id}",
            actor=sub,
            at=now,
        )
    ]
    if old is not None:
        old.replaced_by = rating.id
        events.append(
            PendingEvent(
                "rating.replaced",
                {
                    "id": old.id,
                    "replaced_by": rating.id,
                    "target_type": old.target_type,
                    "target_id": old.target_id,
                    "period": old.period,
                },
                subject=f"rating/{old.id}",
                actor=sub,
                at=now,
            )
        )
    await outbox.record_many(session, events)
    await session.commit()
    return Saved(rating=rating, replaced=old)


def event_data(r: Rating, *, replaces: int | None) -> dict[str, Any]:
    """The rating as announced: no resident identity, no viewer-specific fields, no unmoderated comment."""
    return {
        "id": r.id,
        "target_type": r.target_type,
        "target_id": r.target_id,
        "facility_id": r.facility_id,
        "operator_id": r.operator_id,
        "period": r.period,
        "overall": r.overall,
        "dimensions": {d: getattr(r, d) for d in DIMENSIONS},
        "comment": r.comment if r.comment_status == "published" else None,
        "comment_status": r.comment_status,
        "status": r.status,
        "verified": r.verified,
        "created_at": r.created_at.isoformat(),
        "replaces": replaces,
    }


def _visible_to(rating: Rating, viewer: Principal | None) -> bool:
    if viewer is not None and (viewer.can_read_all() or is_author(rating, viewer)):
        return True
    if (
        viewer is not None
        and viewer.role == "operator"
        and viewer.operator_id == rating.operator_id
        and rating.live
    ):
        return rating.status != "hidden"
    return rating.live and rating.status == "visible"


async def get_rating(
    session: AsyncSession, *, rating_id: int, viewer: Principal | None
) -> Rating:
    """A live, visible rating is public; a replaced, held or hidden one only to its author and to those who
    read everything."""
    rating = await RatingRepository(session).get(rating_id)
    if rating is None or not _visible_to(rating, viewer):
        raise NotFound(f"No rating {rating_id}.")
    return rating


async def list_ratings(
    session: AsyncSession, *, filters: RatingFilter, cursor: str | None, limit: int
) -> Slice[Rating]:
    id_cursor(cursor)  # a cursor this API gave out, or 422
    return await RatingRepository(session).list_public(
        filters, cursor=cursor, limit=limit
    )


async def list_mine(
    session: AsyncSession, *, principal: Principal, cursor: str | None, limit: int
) -> Slice[Rating]:
    id_cursor(cursor)
    return await RatingRepository(session).list_by_resident(
        principal.sub, cursor=cursor, limit=limit
    )


async def reply(
    session: AsyncSession,
    *,
    principal: Principal,
    rating_id: int,
    text: str,
    clock: Clock,
    comment_filter: CommentFilter,
) -> Rating:
    """The operator running the rated facility (when the rating was made) replies publicly, once."""
    repo = RatingRepository(session)
    rating = await repo.get_for_update(rating_id)
    if rating is None or not _visible_to(rating, principal):
        raise NotFound(f"No rating {rating_id}.")
    if principal.operator_id is None or rating.operator_id != principal.operator_id:
        raise Forbidden(
            "Only the operator that ran the facility when it was rated may reply to this rating."
        )
    if rating.reply_text is not None:
        raise ReplyExists(rating_id)
    filtered = await comment_filter.check(session, text)
    now = clock.now()
    rating.reply_text = filtered.text
    rating.reply_operator_id = principal.operator_id
    rating.replied_at = now
    await repo.flush()
    await outbox.record(
        session,
        "rating.replied",
        {
            "id": rating.id,
            "operator_id": principal.operator_id,
            "text": rating.reply_text,
            "replied_at": now.isoformat(),
        },
        subject=f"rating/{rating.id}",
        actor=principal.sub,
        at=now,
    )
    await session.commit()
    return rating


def mean_2dp(total: int, count: int) -> str | None:
    """The exact mean, rounded half up to 2 places, as a decimal string; None when nothing was counted."""
    if count == 0:
        return None
    return str(
        (Decimal(total) / Decimal(count)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    )


@dataclass(frozen=True, slots=True)
class Summary:
    """A target's counted ratings in a quarter (RatingSummary serializes it)."""

    target_type: str
    target_id: int
    period: str
    count: int
    overall_mean: str | None
    distribution: dict[str, int]  # overall score ("1" … "5") → how many
    dimensions: dict[str, dict[str, Any]]  # dimension → count, mean


async def summarise(
    session: AsyncSession,
    *,
    target_type: str,
    target_id: int,
    period: str | None,
    clock: Clock,
) -> Summary:
    period = period or quarter_of(clock.now())
    row = (
        await RatingRepository(session).summary(
            target_type=target_type, target_id=target_id, period=period
        )
    )._mapping
    return Summary(
        target_type=target_type,
        target_id=target_id,
        period=period,
        count=row["count"],
        overall_mean=mean_2dp(row["overall_sum"], row["count"]),
        distribution={str(score): row[f"overall_{score}"] for score in range(1, 6)},
        dimensions={
            d: {
                "count": row[f"{d}_count"],
                "mean": mean_2dp(row[f"{d}_sum"], row[f"{d}_count"]),
            }
            for d in DIMENSIONS
        },
    )
