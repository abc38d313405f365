"""Officials' moderation: the queue of comments waiting for a decision and of ratings held in bursts,
decisions on single ratings and on whole bursts, and the abuse-word list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from feedback_api.events import outbox
from feedback_api.exceptions import WorkflowConflict
from feedback_api.moderation.models import ModerationWord
from feedback_api.moderation.repository import BurstRepository, WordRepository
from feedback_api.pagination import id_cursor
from feedback_api.ratings.aggregates import AggregateRepository
from feedback_api.ratings.filter import CommentFilter
from feedback_api.ratings.models import Rating, RatingBurst
from feedback_api.ratings.repository import RatingRepository
from feedback_api.ratings.schemas import RatingRead
from service_kit.auth import Principal
from service_kit.clock import Clock
from service_kit.pagination import Page, encode_cursor
from service_kit.problems import Conflict, NotFound
from service_kit.repository import Slice


def _area(viewer: Principal) -> str | None:
    """The subdistrict an official is bound to (None: the whole district, or a reader of everything)."""
    return viewer.subdistrict if viewer.is_official else None


def _in_area(viewer: Principal, subdistrict: str | None) -> bool:
    area = _area(viewer)
    return area is None or area == subdistrict


async def queue(
    session: AsyncSession,
    *,
    kind: str | None,
    cursor: str | None,
    limit: int,
    viewer: Principal,
) -> Page[RatingRead]:
    rows = await RatingRepository(session).list_for_review(
        kind=kind,
        before_id=id_cursor(cursor),
        limit=limit + 1,
        subdistrict=_area(viewer),
    )
    more = len(rows) > limit
    return Page[RatingRead](
        items=[RatingRead.of(r, viewer=viewer) for r in rows[:limit]],
        next_cursor=encode_cursor(rows[limit - 1].id) if more else None,
    )


async def _hide(
    session: AsyncSession,
    r: Rating,
    *,
    principal: Principal,
    now: datetime,
    note: str | None,
) -> None:
    if r.counted:
        await AggregateRepository(session).apply(r, -1)
    r.status = "hidden"
    await outbox.record(
        session,
        "rating.hidden",
        {
            "id": r.id,
            "target_type": r.target_type,
            "target_id": r.target_id,
            "facility_id": r.facility_id,
            "period": r.period,
            "reason": note,
        },
        subject=f"rating/{r.id}",
        actor=principal.sub,
        at=now,
    )


async def decide_rating(
    session: AsyncSession,
    *,
    principal: Principal,
    rating_id: int,
    action: str,
    note: str | None,
    clock: Clock,
) -> RatingRead:
    repo = RatingRepository(session)
    r = await repo.get(rating_id, for_update=True)
    if r is None or not _in_area(principal, r.subdistrict):
        # A subdistrict official moderates the ratings of that subdistrict's facilities only.
        raise NotFound(f"No rating {rating_id}.")
    now = clock.now()
    if action in ("approve_comment", "reject_comment"):
        target = "published" if action == "approve_comment" else "rejected"
        if r.comment_status != "pending":
            raise WorkflowConflict(
                "comment",
                from_status=r.comment_status,
                to_status=target,
                detail=f"The comment of rating {rating_id} is {r.comment_status}, not waiting for moderation.",
            )
        r.comment_status = target
    elif action == "hide":
        if r.status == "hidden":
            raise WorkflowConflict(
                "rating",
                from_status="hidden",
                to_status="hidden",
                detail=f"Rating {rating_id} is hidden already.",
            )
        await _hide(session, r, principal=principal, now=now, note=note)
    elif action == "restore":
        if r.status != "hidden":
            raise WorkflowConflict(
                "rating",
                from_status=r.status,
                to_status="visible",
                detail=f"Rating {rating_id} is not hidden.",
            )
        r.status = "visible"
        if r.counted:
            await AggregateRepository(session).apply(r, 1)
    r.moderated_by, r.moderated_at, r.moderation_note = principal.sub, now, note
    await repo.flush()
    read = RatingRead.of(r, viewer=principal)
    await session.commit()
    return read


@dataclass(frozen=True, slots=True)
class ListedWord:
    """A word on the abuse list: built in (settings; no id, cannot be removed here) or added by officials."""

    id: int | None
    word: str
    builtin: bool
    created_at: datetime | None

    @classmethod
    def added(cls, w: ModerationWord) -> ListedWord:
        return cls(w.id, w.word, False, w.created_at)


async def list_bursts(
    session: AsyncSession,
    *,
    status: str | None,
    cursor: str | None,
    limit: int,
    viewer: Principal,
) -> Slice[RatingBurst]:
    return await BurstRepository(session).list(
        status=status, cursor=cursor, limit=limit, subdistrict=_area(viewer)
    )


async def decide_burst(
    session: AsyncSession,
    *,
    principal: Principal,
    burst_id: int,
    decision: str,
    note: str | None,
    clock: Clock,
) -> RatingBurst:
    bursts = BurstRepository(session)
    burst = await bursts.get(burst_id, for_update=True)
    if burst is None or not _in_area(principal, await bursts.subdistrict_of(burst_id)):
        raise NotFound(f"No burst {burst_id}.")
    target = "released" if decision == "release" else "hidden"
    if burst.status != "open":
        raise WorkflowConflict("burst", from_status=burst.status, to_status=target)
    now = clock.now()
    aggregates = AggregateRepository(session)
    for r in await RatingRepository(session).in_burst(burst.id):
        if decision == "release":
            r.status = "visible"
            if r.counted:
                await aggregates.apply(r, 1)
        else:
            await _hide(
                session,
                r,
                principal=principal,
                now=now,
                note=note or f"burst {burst.id}",
            )
    burst.status, burst.reviewed_by, burst.reviewed_at, burst.review_note = (
        target,
        principal.sub,
        now,
        note,
    )
    await session.flush()
    await session.commit()
    return burst


async def list_words(
    session: AsyncSession, *, comment_filter: CommentFilter
) -> list[ListedWord]:
    builtin = [ListedWord(None, w, True, None) for w in comment_filter.builtin]
    added = [ListedWord.added(w) for w in await WordRepository(session).list()]
    return builtin + added


async def add_word(
    session: AsyncSession,
    *,
    principal: Principal,
    word: str,
    clock: Clock,
    comment_filter: CommentFilter,
) -> ListedWord:
    repo = WordRepository(session)
    if word in comment_filter.builtin or await repo.by_word(word) is not None:
        raise Conflict(f"{word!r} is on the list already.", slug="word-exists")
    entry = ModerationWord(word=word, created_by=principal.sub, created_at=clock.now())
    repo.add(entry)
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        raise Conflict(
            f"{word!r} is on the list already.", slug="word-exists"
        ) from None
    read = ListedWord.added(entry)
    await session.commit()
    comment_filter.invalidate()
    return read


async def remove_word(
    session: AsyncSession, *, word_id: int, comment_filter: CommentFilter
) -> None:
    repo = WordRepository(session)
    entry = await repo.get_or_404(word_id)
    await repo.delete(entry)
    await session.commit()
    comment_filter.invalidate()


async def added_words(session: AsyncSession) -> Sequence[str]:
    """The words officials added, for the comment filter."""
    return await WordRepository(session).words()
