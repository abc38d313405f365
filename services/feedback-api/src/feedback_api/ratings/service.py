"""Use cases of ratings: rate (or re-rate) a target, read ratings publicly and one's own, the operator's
reply, and a target's summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from feedback_api.clients.facilities import FacilitiesClient, FacilityRef
from feedback_api.events import outbox
from feedback_api.moderation.filter import CommentFilter
from feedback_api.pagination import id_cursor
from feedback_api.periods import month_of, quarter_of
from feedback_api.ratings import abuse
from feedback_api.ratings.exceptions import RatingConflict, ReplyExists
from feedback_api.ratings.models import DIMENSIONS, Rating
from feedback_api.ratings.repository import RatingFilter, RatingRepository
from feedback_api.ratings.schemas import RatingCreate
from feedback_api.ratings.stores import Lookup
from feedback_api.settings import Settings
from feedback_api.targets import resolve
from service_kit.auth import Principal
from service_kit.clock import Clock, as_aware
from service_kit.events.outbox import PendingEvent
from service_kit.logs import request_id_var
from service_kit.pagination import encode_cursor
from service_kit.problems import Forbidden, NotFound

if TYPE_CHECKING:
    from feedback_api.ratings.stores import Found, WriteStore
    from feedback_api.ratings.writer import RatingWriter

# Residents are never named publicly; every rating shows the same masked author.
MASKED_AUTHOR = "居民***"
TWO_PLACES = Decimal("0.01")


def _is_author(rating: Rating, viewer: Principal | None) -> bool:
    return (
        viewer is not None
        and viewer.role == "resident"
        and viewer.sub == rating.resident_sub
    )


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
            {
                "text": r.reply_text,
                "operator_id": r.reply_operator_id,
                "replied_at": as_aware(r.replied_at),
            }
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


@dataclass(slots=True)
class RatingRequest:
    """A resident's rating, validated and its target resolved by the request handler, waiting for the
    writer (ratings/writer.py). `now` is the moment of the request: the rating's time, quarter and month."""

    principal: Principal
    data: RatingCreate
    facility: FacilityRef
    now: datetime
    network: str | None
    request_id: str | None = None
    # The live-rating slot it takes: (resident, target type, target id, quarter); asked for several
    # times on its way through the writer, so worked out once.
    key: tuple[str, str, int, str] = field(init=False)

    def __post_init__(self) -> None:
        self.key = (
            self.principal.sub,
            self.data.target_type,
            self.data.target_id,
            quarter_of(self.now),
        )


@dataclass(slots=True)
class NewRating:
    """A rating being written, as plain attributes: what the row gets, and what rating_read, event_data,
    the aggregates and the burst rule read (no ORM object on the write path)."""

    resident_sub: str
    target_type: str
    target_id: int
    facility_id: int
    subdistrict: str
    operator_id: int | None
    period: str
    month: str
    overall: int
    environment: int | None
    content: int | None
    staff: int | None
    convenience: int | None
    comment: str | None
    comment_status: str
    status: str
    verified: bool
    new_account: bool
    client_network: str | None
    created_at: datetime
    live: bool = True
    id: int | None = None
    burst_id: int | None = None
    replaced_by: int | None = None
    reply_text: str | None = None
    reply_operator_id: int | None = None
    replied_at: datetime | None = None

    ROW = (
        "resident_sub",
        "target_type",
        "target_id",
        "facility_id",
        "subdistrict",
        "operator_id",
        "period",
        "month",
        "overall",
        *DIMENSIONS,
        "comment",
        "comment_status",
        "status",
        "verified",
        "new_account",
        "client_network",
        "live",
        "created_at",
    )

    @property
    def counted(self) -> bool:
        return self.live and self.status == "visible"

    def row(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.ROW}


Saved = tuple[dict[str, Any], int | None]


async def rate(
    writer: RatingWriter,
    *,
    principal: Principal,
    data: RatingCreate,
    facilities: FacilitiesClient,
    clock: Clock,
    network: str | None,
) -> Saved:
    """Save the resident's rating. Returns it as read and the id of the live rating it replaced, if any.

    The target is checked here, before anything is written; the rating is then handed to the process's
    writer, which saves it with the others waiting at that moment in one transaction (group commit) and
    answers each with its own result or its own error."""
    now = clock.now()
    target = await resolve(
        facilities,
        target_type=data.target_type,
        target_id=data.target_id,
        facility_id=data.facility_id,
        now=now,
    )
    return await writer.submit(
        RatingRequest(
            principal=principal,
            data=data,
            facility=target.facility,
            now=now,
            network=network,
            request_id=request_id_var.get(),
        )
    )


async def write_one(
    store: WriteStore,
    req: RatingRequest,
    *,
    settings: Settings,
    comment_filter: CommentFilter,
) -> Saved:
    """The per-rating path: one rating in its own transaction (a batch of one, and the fallback when a
    batch fails). Two requests racing to be the first live rating: the unique index refuses the second,
    which then runs once more and replaces the first."""
    for attempt in (1, 2):
        try:
            [outcome] = await write_batch(
                store, [req], settings=settings, comment_filter=comment_filter
            )
        except IntegrityError:
            await store.rollback()
            if attempt == 2:
                raise RatingConflict() from None
            continue
        if isinstance(outcome, Exception):
            raise outcome
        return outcome
    raise AssertionError("unreachable")


async def write_batch(
    store: WriteStore,
    reqs: list[RatingRequest],
    *,
    settings: Settings,
    comment_filter: CommentFilter,
) -> list[Saved | Exception]:
    """Several ratings (at most one per live-rating slot) in one transaction, set-based: each gets its own
    result, or its own 429 when its resident is over a limit. Any other error propagates (nothing of the
    batch is written) and the caller saves them one by one."""
    found = await store.read(_lookup(reqs, settings=settings))
    verdicts = abuse.check_limits_many(
        found.activity, [(r.principal.sub, r.now) for r in reqs], settings=settings
    )
    live = {
        (r.resident_sub, r.target_type, r.target_id, r.period): r for r in found.live
    }
    accepted = [
        Accepted(req, new_account=verdict, verified=verified, old=live.get(req.key))
        for req, verdict, verified in zip(reqs, verdicts, found.checked_in, strict=True)
        if not isinstance(verdict, Exception)
    ]
    saved = iter(
        await _save(
            store, accepted, found, settings=settings, comment_filter=comment_filter
        )
        if accepted
        else []
    )
    return [v if isinstance(v, Exception) else next(saved) for v in verdicts]


def _lookup(reqs: list[RatingRequest], *, settings: Settings) -> Lookup:
    """What a batch reads: its windows (limits, burst rule) start from its earliest moment."""
    start = min(r.now for r in reqs)
    return Lookup(
        residents=[r.principal.sub for r in reqs],
        hour_ago=start - abuse.HOUR,
        day_ago=start - abuse.DAY,
        facilities={r.facility.id: r.facility for r in reqs},
        checkins=[
            (r.principal.sub, r.data.target_type, r.data.target_id, r.facility.id)
            for r in reqs
        ],
        slots=[r.key for r in reqs],
        targets=[(r.data.target_type, r.data.target_id) for r in reqs],
        since=start - abuse.burst_window(settings),
        cap=abuse.burst_cap(settings),
        now=start,
    )


@dataclass(slots=True)
class Accepted:
    """A rating within the limits, with what the batch's read found for it."""

    req: RatingRequest
    new_account: bool
    verified: bool
    old: Any  # the live rating it replaces (Rating or NewRating, as the store reads it), or None


async def _save(
    store: WriteStore,
    items: list[Accepted],
    found: Found,
    *,
    settings: Settings,
    comment_filter: CommentFilter,
) -> list[Saved]:
    """Write accepted ratings, each in a different live-rating slot, and commit: a fixed number of
    statements whatever their number."""
    olds = [item.old for item in items]
    if any(olds):
        # frees the one-live-rating slots before the new rows take them
        await store.retire(
            [(item.old.id, item.req.now) for item in items if item.old is not None]
        )
    new: list[NewRating] = []
    for item in items:
        req, data = item.req, item.req.data
        operator_id, subdistrict = found.operations[req.facility.id]
        filtered = await store.filter_comment(comment_filter, data.comment)
        new.append(
            NewRating(
                resident_sub=req.principal.sub,
                target_type=data.target_type,
                target_id=data.target_id,
                facility_id=req.facility.id,
                subdistrict=subdistrict or req.facility.subdistrict,
                operator_id=operator_id,
                period=req.key[3],
                month=month_of(req.now),
                overall=data.overall,
                **{d: getattr(data.dimensions, d) for d in DIMENSIONS},
                comment=filtered.text,
                comment_status=filtered.status,
                status="visible",
                verified=item.verified,
                new_account=item.new_account,
                client_network=req.network,
                created_at=req.now,
            )
        )
    changes = [(r, 1) for r in new] + [
        (old, -1) for old in olds if old is not None and old.counted
    ]
    for rating, rating_id in zip(
        new,
        await store.insert_many([r.row() for r in new], aggregates=changes),
        strict=True,
    ):
        rating.id = rating_id
    retired = [old for old in olds if old is not None]
    since = min(item.req.now for item in items) - abuse.burst_window(settings)
    await abuse.hold_bursts(
        store, found.window, new, retired, since=since, settings=settings
    )
    replaced = [(old, r) for old, r in zip(olds, new, strict=True) if old is not None]
    if replaced:
        await store.link_replacements([(old.id, r.id) for old, r in replaced])
    events: list[PendingEvent] = []
    for item, rating in zip(items, new, strict=True):
        req, old = item.req, item.old
        events.append(
            PendingEvent(
                "rating.created",
                event_data(rating, replaces=old.id if old is not None else None),
                subject=f"rating/{rating.id}",
                actor=req.principal.sub,
                at=req.now,
                request_id=req.request_id,
            )
        )
        if old is not None:
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
                    actor=req.principal.sub,
                    at=req.now,
                    request_id=req.request_id,
                )
            )
    await store.record_events(events)
    await store.commit()
    return [
        (
            rating_read(rating, viewer=item.req.principal),
            item.old.id if item.old is not None else None,
        )
        for item, rating in zip(items, new, strict=True)
    ]


def _visible_to(rating: Rating, viewer: Principal | None) -> bool:
    if viewer is not None and (viewer.can_read_all() or _is_author(rating, viewer)):
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
) -> dict[str, Any]:
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
    session: AsyncSession,
    *,
    filters: RatingFilter,
    cursor: str | None,
    limit: int,
    viewer: Principal | None,
) -> dict[str, Any]:
    rows = await RatingRepository(session).list_public(
        filters, before_id=id_cursor(cursor), limit=limit + 1
    )
    return page(list(rows), limit, viewer)


async def list_mine(
    session: AsyncSession, *, principal: Principal, cursor: str | None, limit: int
) -> dict[str, Any]:
    rows = await RatingRepository(session).list_by_resident(
        principal.sub, before_id=id_cursor(cursor), limit=limit + 1
    )
    return page(list(rows), limit, principal)


async def reply(
    session: AsyncSession,
    *,
    principal: Principal,
    rating_id: int,
    text: str,
    clock: Clock,
    comment_filter: CommentFilter,
) -> dict[str, Any]:
    """The operator running the rated facility (when the rating was made) replies publicly, once."""
    repo = RatingRepository(session)
    rating = await repo.get(rating_id, for_update=True)
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
    read = rating_read(rating, viewer=principal)
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
    return read


def mean_2dp(total: int, count: int) -> str | None:
    """The exact mean, rounded half up to 2 places, as a decimal string; None when nothing was counted."""
    if count == 0:
        return None
    return str(
        (Decimal(total) / Decimal(count)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    )


async def summarise(
    session: AsyncSession,
    *,
    target_type: str,
    target_id: int,
    period: str | None,
    clock: Clock,
) -> dict[str, Any]:
    period = period or quarter_of(clock.now())
    row = await RatingRepository(session).summary(
        target_type=target_type, target_id=target_id, period=period
    )
    return {
        "target_type": target_type,
        "target_id": target_id,
        "period": period,
        "count": row.count,
        "overall_mean": mean_2dp(row.overall_sum, row.count),
        "distribution": {
            str(score): getattr(row, f"overall_{score}") for score in range(1, 6)
        },
        "dimensions": {
            d: {
                "count": getattr(row, f"{d}_count"),
                "mean": mean_2dp(getattr(row, f"{d}_sum"), getattr(row, f"{d}_count")),
            }
            for d in DIMENSIONS
        },
    }
