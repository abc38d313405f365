"""Use cases of ratings: rate (or re-rate) a target, read ratings publicly and one's own, the operator's
reply, and a target's summary."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from feedback_api.clients.facilities import FacilitiesClient
from feedback_api.events import outbox
from feedback_api.moderation.filter import CommentFilter
from feedback_api.operations.repository import CheckinRepository
from feedback_api.operations.service import operation_for
from feedback_api.pagination import id_cursor
from feedback_api.periods import month_of, quarter_of
from feedback_api.ratings import abuse
from feedback_api.ratings.exceptions import RatingConflict, ReplyExists
from feedback_api.ratings.models import DIMENSIONS, Rating
from feedback_api.ratings.repository import RatingFilter, RatingRepository
from feedback_api.ratings.schemas import RatingCreate
from feedback_api.satisfaction.repository import AggregateRepository
from feedback_api.settings import Settings
from feedback_api.targets import resolve
from service_kit.auth import Principal
from service_kit.clock import Clock, as_aware
from service_kit.pagination import encode_cursor
from service_kit.problems import Forbidden, NotFound

# Residents are never named publicly; every rating shows the same masked author.
MASKED_AUTHOR = "居民***"
TWO_PLACES = Decimal("0.01")


def _is_author(rating: Rating, viewer: Principal | None) -> bool:
    return viewer is not None and viewer.role == "resident" and viewer.sub == rating.resident_sub


def rating_read(r: Rating, *, viewer: Principal | None) -> dict[str, Any]:
    privileged = _is_author(r, viewer) or (viewer is not None and viewer.can_read_all())
    show_comment = r.comment_status == "published" or privileged
    return {
        "id": r.id,
        "target_type": r.target_type,
        "target_id": r.target_id,
        "facility_id": r.facility_id,
        "period": r.period,
        "overall": r.overall,
        "dimensions": {d: getattr(r, d) for d in DIMENSIONS},
        "comment": r.comment if show_comment else None,
        "comment_status": r.comment_status,
        "status": r.status,
        "verified": r.verified,
        "author": MASKED_AUTHOR,
        "mine": _is_author(r, viewer),
        "live": r.live,
        "replaced_by": r.replaced_by,
        "reply": (
            {"text": r.reply_text, "operator_id": r.reply_operator_id, "replied_at": as_aware(r.replied_at)}
            if r.reply_text is not None
            else None
        ),
        "created_at": as_aware(r.created_at),
    }


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
        "created_at": as_aware(r.created_at).isoformat(),
        "replaces": replaces,
    }


async def rate(
    session: AsyncSession,
    *,
    principal: Principal,
    data: RatingCreate,
    facilities: FacilitiesClient,
    clock: Clock,
    settings: Settings,
    comment_filter: CommentFilter,
    network: str | None,
) -> tuple[dict[str, Any], int | None]:
    """Save the resident's rating. Returns it as read and the id of the live rating it replaced, if any."""
    now = clock.now()
    # Checked before anything is written, and before any lock is taken.
    target = await resolve(
        facilities, target_type=data.target_type, target_id=data.target_id, facility_id=data.facility_id, now=now
    )
    new_account = await abuse.check_limits(session, resident_sub=principal.sub, now=now, settings=settings)
    # Two requests racing to be the first live rating: the unique index refuses the second, which then
    # runs once more and replaces the first.
    for attempt in (1, 2):
        try:
            return await _save(
                session,
                principal=principal,
                data=data,
                target_facility=target.facility,
                now=now,
                settings=settings,
                comment_filter=comment_filter,
                network=network,
                new_account=new_account,
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
    target_facility,
    now,
    settings: Settings,
    comment_filter: CommentFilter,
    network: str | None,
    new_account: bool,
) -> tuple[dict[str, Any], int | None]:
    period = quarter_of(now)
    repo = RatingRepository(session)
    aggregates = AggregateRepository(session)
    operation = await operation_for(session, target_facility, now=now)
    filtered = await comment_filter.check(session, data.comment)
    verified = await CheckinRepository(session).has_checked_in(
        resident_sub=principal.sub, target_type=data.target_type, target_id=data.target_id, facility_id=target_facility.id
    )
    old = await repo.live_for_update(
        resident_sub=principal.sub, target_type=data.target_type, target_id=data.target_id, period=period
    )
    if old is not None:
        if old.counted:
            await aggregates.apply(old, -1)
        old.live = False
        old.replaced_at = now
        await repo.flush()  # frees the one-live-rating slot before the new row takes it
    rating = Rating(
        resident_sub=principal.sub,
        target_type=data.target_type,
        target_id=data.target_id,
        facility_id=target_facility.id,
        subdistrict=operation.subdistrict or target_facility.subdistrict,
        operator_id=operation.operator_id,
        period=period,
        month=month_of(now),
        overall=data.overall,
        comment=filtered.text,
        comment_status=filtered.status,
        status="visible",
        verified=verified,
        new_account=new_account,
        client_network=network,
        live=True,
        created_at=now,
        **{d: getattr(data.dimensions, d) for d in DIMENSIONS},
    )
    repo.add(rating)
    await repo.flush()
    await aggregates.apply(rating, 1)
    await abuse.detect_burst(session, rating, now=now, settings=settings)
    replaced_id = None
    if old is not None:
        old.replaced_by = rating.id
        replaced_id = old.id
        await repo.flush()
    read = rating_read(rating, viewer=principal)
    await outbox.record(
        session, "rating.created", event_data(rating, replaces=replaced_id), subject=f"rating/{rating.id}", actor=principal.sub, at=now
    )
    if old is not None:
        await outbox.record(
            session,
            "rating.replaced",
            {
                "id": old.id,
                "replaced_by": rating.id,
                "target_type": old.target_type,
                "target_id": old.target_id,
                "period": old.period,
            },
            subject=f"rating/{old.id}",
            actor=principal.sub,
            at=now,
        )
    await session.commit()
    return read, replaced_id


def _visible_to(rating: Rating, viewer: Principal | None) -> bool:
    if viewer is not None and (viewer.can_read_all() or _is_author(rating, viewer)):
        return True
    if viewer is not None and viewer.role == "operator" and viewer.operator_id == rating.operator_id and rating.live:
        return rating.status != "hidden"
    return rating.live and rating.status == "visible"


async def get_rating(session: AsyncSession, *, rating_id: int, viewer: Principal | None) -> dict[str, Any]:
    """A live, visible rating is public; a replaced, held or hidden one only to its author and to those who
    read everything."""
    rating = await RatingRepository(session).get(rating_id)
    if rating is None or not _visible_to(rating, viewer):
        raise NotFound(f"No rating {rating_id}.")
    return rating_read(rating, viewer=viewer)


def page(rows: list[Rating], limit: int, viewer: Principal | None) -> dict[str, Any]:
    items = [rating_read(r, viewer=viewer) for r in rows[:limit]]
    next_cursor = encode_cursor(rows[limit - 1].id) if len(rows) > limit else None
    return {"items": items, "next_cursor": next_cursor}


async def list_ratings(
    session: AsyncSession, *, filters: RatingFilter, cursor: str | None, limit: int, viewer: Principal | None
) -> dict[str, Any]:
    rows = await RatingRepository(session).list_public(filters, before_id=id_cursor(cursor), limit=limit + 1)
    return page(list(rows), limit, viewer)


async def list_mine(session: AsyncSession, *, principal: Principal, cursor: str | None, limit: int) -> dict[str, Any]:
    rows = await RatingRepository(session).list_by_resident(principal.sub, before_id=id_cursor(cursor), limit=limit + 1)
    return page(list(rows), limit, principal)


async def reply(
    session: AsyncSession, *, principal: Principal, rating_id: int, text: str, clock: Clock, comment_filter: CommentFilter
) -> dict[str, Any]:
    """The operator running the rated facility (when the rating was made) replies publicly, once."""
    repo = RatingRepository(session)
    rating = await repo.get(rating_id, for_update=True)
    if rating is None or not _visible_to(rating, principal):
        raise NotFound(f"No rating {rating_id}.")
    if principal.operator_id is None or rating.operator_id != principal.operator_id:
        raise Forbidden("Only the operator that ran the facility when it was rated may reply to this rating.")
    if rating.reply_text is not None:
        raise ReplyExists(rating_id)
    filtered = await comment_filter.check(session, text)
    now = clock.now()
    rating.reply_text = filtered.text
    rating.reply_operator_id = principal.operator_id
    rating.replied_at = now
    await repo.flush()
    read = rating_read(rating, viewer=principal)
    await outbox.record(
        session,
        "rating.replied",
        {"id": rating.id, "operator_id": principal.operator_id, "text": rating.reply_text, "replied_at": now.isoformat()},
        subject=f"rating/{rating.id}",
        actor=principal.sub,
        at=now,
    )
    await session.commit()
    return read


def mean_2dp(total: int, count: int) -> str | None:
    """The exact mean, rounded half up to 2 places, as a decimal string; None when nothing was counted."""
    if count == 0:
        return None
    return str((Decimal(total) / Decimal(count)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP))


async def summarise(
    session: AsyncSession, *, target_type: str, target_id: int, period: str | None, clock: Clock
) -> dict[str, Any]:
    period = period or quarter_of(clock.now())
    row = await RatingRepository(session).summary(target_type=target_type, target_id=target_id, period=period)
    return {
        "target_type": target_type,
        "target_id": target_id,
        "period": period,
        "count": row.count,
        "overall_mean": mean_2dp(row.overall_sum, row.count),
        "distribution": {str(score): getattr(row, f"overall_{score}") for score in range(1, 6)},
        "dimensions": {
            d: {"count": getattr(row, f"{d}_count"), "mean": mean_2dp(getattr(row, f"{d}_sum"), getattr(row, f"{d}_count"))}
            for d in DIMENSIONS
        },
    }
