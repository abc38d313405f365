"""Use cases of ratings: rate (or re-rate) a target, read ratings publicly and one's own, summarise a target."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from feedback_api.clients.facilities import FacilitiesClient, FacilitiesUnavailable
from feedback_api.events import outbox
from feedback_api.periods import quarter_of
from feedback_api.ratings.exceptions import (
    RatingConflict,
    TargetCheckUnavailable,
    TargetNotFound,
)
from feedback_api.ratings.models import DIMENSIONS, Rating
from feedback_api.ratings.repository import RatingFilter, RatingRepository
from feedback_api.ratings.schemas import RatingCreate
from service_kit.auth import Principal
from service_kit.clock import Clock, as_aware
from service_kit.pagination import decode_cursor, encode_cursor
from service_kit.params import INT32_MAX
from service_kit.problems import NotFound, RuleViolation

# Residents are never named publicly; every rating shows the same masked author.
MASKED_AUTHOR = "居民***"
TWO_PLACES = Decimal("0.01")


def _is_author(rating: Rating, viewer: Principal | None) -> bool:
    return viewer is not None and viewer.role == "resident" and viewer.sub == rating.resident_sub


def rating_read(r: Rating, *, viewer: Principal | None) -> dict[str, Any]:
    return {
        "id": r.id,
        "target_type": r.target_type,
        "target_id": r.target_id,
        "period": r.period,
        "overall": r.overall,
        "dimensions": {d: getattr(r, d) for d in DIMENSIONS},
        "comment": r.comment,
        "author": MASKED_AUTHOR,
        "mine": _is_author(r, viewer),
        "live": r.live,
        "replaced_by": r.replaced_by,
        "created_at": as_aware(r.created_at),
    }


def _event_data(r: Rating, *, replaces: int | None) -> dict[str, Any]:
    """The rating as announced: no resident identity, no viewer-specific fields."""
    return {
        "id": r.id,
        "target_type": r.target_type,
        "target_id": r.target_id,
        "period": r.period,
        "overall": r.overall,
        "dimensions": {d: getattr(r, d) for d in DIMENSIONS},
        "comment": r.comment,
        "created_at": as_aware(r.created_at).isoformat(),
        "replaces": replaces,
    }


async def _check_target(facilities: FacilitiesClient, *, target_type: str, target_id: int) -> None:
    """The target must exist in the service that owns it. Asked before anything is written."""
    if target_type == "facility":
        try:
            found = await facilities.get_facility(target_id)
        except FacilitiesUnavailable as exc:
            raise TargetCheckUnavailable("facilities-api") from exc
        if found is None:
            raise TargetNotFound(target_type, target_id)
        return
    raise AssertionError(f"unchecked target type {target_type}")  # the schema admits only checked types


async def rate(
    session: AsyncSession,
    *,
    principal: Principal,
    data: RatingCreate,
    facilities: FacilitiesClient,
    clock: Clock,
) -> tuple[dict[str, Any], int | None]:
    """Save the resident's rating. Returns it as read and the id of the live rating it replaced, if any."""
    await _check_target(facilities, target_type=data.target_type, target_id=data.target_id)
    # Two requests racing to be the first live rating: the unique index refuses the second, which then
    # runs once more and replaces the first.
    for attempt in (1, 2):
        try:
            return await _save(session, principal=principal, data=data, clock=clock)
        except IntegrityError:
            await session.rollback()
            if attempt == 2:
                raise RatingConflict() from None
    raise AssertionError("unreachable")


async def _save(
    session: AsyncSession, *, principal: Principal, data: RatingCreate, clock: Clock
) -> tuple[dict[str, Any], int | None]:
    now = clock.now()
    period = quarter_of(now)
    repo = RatingRepository(session)
    old = await repo.live_for_update(
        resident_sub=principal.sub, target_type=data.target_type, target_id=data.target_id, period=period
    )
    if old is not None:
        old.live = False
        old.replaced_at = now
        await repo.flush()  # frees the one-live-rating slot before the new row takes it
    rating = Rating(
        resident_sub=principal.sub,
        target_type=data.target_type,
        target_id=data.target_id,
        period=period,
        overall=data.overall,
        comment=data.comment,
        live=True,
        created_at=now,
        **{d: getattr(data.dimensions, d) for d in DIMENSIONS},
    )
    repo.add(rating)
    await repo.flush()
    replaced_id = None
    if old is not None:
        old.replaced_by = rating.id
        replaced_id = old.id
        await repo.flush()
    read = rating_read(rating, viewer=principal)
    subject = f"rating/{rating.id}"
    await outbox.record(
        session, "rating.created", _event_data(rating, replaces=replaced_id), subject=subject, actor=principal.sub
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
        )
    await session.commit()
    return read, replaced_id


async def get_rating(session: AsyncSession, *, rating_id: int, viewer: Principal | None) -> dict[str, Any]:
    """A live rating is public; a replaced one only to its author and to those who read everything."""
    rating = await RatingRepository(session).get(rating_id)
    if rating is None or not (rating.live or _is_author(rating, viewer) or (viewer and viewer.can_read_all())):
        raise NotFound(f"No rating {rating_id}.")
    return rating_read(rating, viewer=viewer)


def _page(rows: list[Rating], limit: int, viewer: Principal | None) -> dict[str, Any]:
    items = [rating_read(r, viewer=viewer) for r in rows[:limit]]
    next_cursor = encode_cursor(rows[limit - 1].id) if len(rows) > limit else None
    return {"items": items, "next_cursor": next_cursor}


def _before_id(cursor: str | None) -> int | None:
    if not cursor:
        return None
    value = decode_cursor(cursor, 1)[0]
    # A cursor decodes to JSON: make sure it is an id this API could have given out before using it.
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= INT32_MAX:
        raise RuleViolation("cursor", "The cursor is not one this API gave out.", code="invalid-cursor")
    return value


async def list_ratings(
    session: AsyncSession, *, filters: RatingFilter, cursor: str | None, limit: int, viewer: Principal | None
) -> dict[str, Any]:
    rows = await RatingRepository(session).list_live(filters, before_id=_before_id(cursor), limit=limit + 1)
    return _page(list(rows), limit, viewer)


async def list_mine(session: AsyncSession, *, principal: Principal, cursor: str | None, limit: int) -> dict[str, Any]:
    rows = await RatingRepository(session).list_by_resident(principal.sub, before_id=_before_id(cursor), limit=limit + 1)
    return _page(list(rows), limit, principal)


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
