"""菜单式需求: officials publish a menu for a period and an area; residents vote for up to `max_choices`
items while voting is open (by the clock); officials close the round and publish its results, which are
announced (menu_round.results_published) so planning can take them up.

    draft → open → closed → published"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from feedback_api.events import outbox
from feedback_api.exceptions import WorkflowConflict
from feedback_api.menu.domain import RoundView, RoundViews
from feedback_api.menu.models import MenuItem, MenuRound, MenuVote
from feedback_api.menu.repository import MenuRepository
from feedback_api.menu.schemas import RoundCreate
from service_kit.auth import Principal
from service_kit.clock import Clock
from service_kit.etag import IfMatch
from service_kit.problems import Conflict, Forbidden, NotFound, RuleViolation


def _voting_now(r: MenuRound, now: datetime) -> bool:
    return r.status == "open" and r.voting_opens_at <= now < r.voting_closes_at


def _ranks(counts: dict[int, int]) -> dict[int, int]:
    ranks, previous, rank = {}, None, 0
    for position, (item_id, n) in enumerate(
        sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])), start=1
    ):
        if n != previous:
            rank, previous = position, n
        ranks[item_id] = rank
    return ranks


async def round_view(
    session: AsyncSession, r: MenuRound, *, viewer: Principal | None, now: datetime
) -> RoundView:
    repo = MenuRepository(session)
    items = await repo.items(r.id)
    show = r.status == "published" or (viewer is not None and viewer.can_read_all())
    counts: dict[int, int] | None = None
    if show:
        counted = (
            {i.id: i.votes or 0 for i in items}
            if r.status == "published"
            else await repo.counts(r.id)
        )
        counts = {i.id: counted.get(i.id, 0) for i in items}
    mine = (
        await repo.votes_of(r.id, viewer.sub)
        if viewer is not None and viewer.role == "resident"
        else set()
    )
    return RoundView(
        round=r,
        items=items,
        counts=counts,
        ranks=_ranks(counts) if counts is not None else {},
        mine=frozenset(mine),
        voting_now=_voting_now(r, now),
    )


async def create(
    session: AsyncSession, *, principal: Principal, data: RoundCreate, clock: Clock
) -> RoundView:
    if principal.subdistrict is not None and data.subdistrict != principal.subdistrict:
        raise Forbidden(
            "A subdistrict official publishes menus for their own subdistrict only."
        )
    now = clock.now()
    r = MenuRound(
        title=data.title,
        description=data.description,
        subdistrict=data.subdistrict,
        offer_from=data.offer_from,
        offer_to=data.offer_to,
        voting_opens_at=data.voting_opens_at,
        voting_closes_at=data.voting_closes_at,
        max_choices=data.max_choices,
        status="draft",
        created_by=principal.sub,
        created_at=now,
    )
    repo = MenuRepository(session)
    repo.add(r)
    await repo.flush()
    for item in data.items:
        repo.add_item(
            MenuItem(
                round_id=r.id,
                title=item.title,
                category=item.category,
                description=item.description,
                facility_id=item.facility_id,
            )
        )
    await repo.flush()
    read = await round_view(session, r, viewer=principal, now=now)
    await session.commit()
    return read


async def _get(
    session: AsyncSession,
    round_id: int,
    viewer: Principal | None,
    *,
    for_update: bool = False,
) -> MenuRound:
    r = await MenuRepository(session).get(round_id, for_update=for_update)
    if r is None or (
        r.status == "draft" and not (viewer is not None and viewer.can_read_all())
    ):
        raise NotFound(f"No menu round {round_id}.")
    return r


async def get(
    session: AsyncSession, *, round_id: int, viewer: Principal | None, clock: Clock
) -> RoundView:
    return await round_view(
        session, await _get(session, round_id, viewer), viewer=viewer, now=clock.now()
    )


async def list_rounds(
    session: AsyncSession,
    *,
    viewer: Principal | None,
    cursor: str | None,
    limit: int,
    clock: Clock,
) -> RoundViews:
    found = await MenuRepository(session).list(
        include_drafts=viewer is not None and viewer.can_read_all(),
        cursor=cursor,
        limit=limit,
    )
    now = clock.now()
    return RoundViews(
        items=[
            await round_view(session, r, viewer=viewer, now=now) for r in found.items
        ],
        next_cursor=found.next_cursor,
    )


async def move(
    session: AsyncSession,
    *,
    if_match: IfMatch,
    principal: Principal,
    round_id: int,
    to_status: str,
    clock: Clock,
) -> RoundView:
    r = await _get(session, round_id, principal, for_update=True)
    if principal.subdistrict is not None and r.subdistrict != principal.subdistrict:
        raise Forbidden(
            "A subdistrict official manages the menus of their own subdistrict only."
        )
    if_match.check(r.version)
    allowed = {
        "open": ("draft",),
        "closed": ("open",),
        "published": ("closed", "open"),
    }[to_status]
    now = clock.now()
    if r.status not in allowed:
        raise WorkflowConflict("menu round", from_status=r.status, to_status=to_status)
    if to_status == "published" and r.status == "open" and now < r.voting_closes_at:
        raise WorkflowConflict(
            "menu round",
            from_status="open",
            to_status="published",
            detail=f"Voting in round {r.id} is still open; close it first or wait until it ends.",
        )
    repo = MenuRepository(session)
    r.status = to_status
    if to_status == "published":
        counts = await repo.counts(r.id)
        items = await repo.items(r.id)
        for item in items:
            item.votes = counts.get(item.id, 0)
        r.published_at = now
        ranks = _ranks({i.id: i.votes or 0 for i in items})
        await repo.flush()
        await outbox.record(
            session,
            "menu_round.results_published",
            {
                "id": r.id,
                "title": r.title,
                "subdistrict": r.subdistrict,
                "offer_from": r.offer_from.isoformat(),
                "offer_to": r.offer_to.isoformat(),
                "results": [
                    {
                        "item_id": i.id,
                        "title": i.title,
                        "category": i.category,
                        "facility_id": i.facility_id,
                        "votes": i.votes,
                        "rank": ranks[i.id],
                    }
                    for i in sorted(items, key=lambda i: ranks[i.id])
                ],
            },
            subject=f"menu-round/{r.id}",
            actor=principal.sub,
            at=now,
        )
    await repo.flush()
    read = await round_view(session, r, viewer=principal, now=now)
    await session.commit()
    return read


async def vote(
    session: AsyncSession,
    *,
    principal: Principal,
    round_id: int,
    item_id: int,
    community: str | None,
    clock: Clock,
) -> RoundView:
    repo = MenuRepository(session)
    # The round row is locked: one resident's votes in a round are counted one at a time.
    r = await _get(session, round_id, principal, for_update=True)
    now = clock.now()
    if not _voting_now(r, now):
        raise WorkflowConflict(
            "menu round",
            from_status=r.status,
            to_status="vote",
            detail=f"Voting in round {r.id} is not open now.",
        )
    if item_id not in {i.id for i in await repo.items(r.id)}:
        raise RuleViolation(
            "item_id",
            f"item {item_id} is not on the menu of round {r.id}",
            code="unknown-item",
        )
    if r.subdistrict and community and not community.startswith(r.subdistrict):
        raise RuleViolation(
            "community", f"this round is for {r.subdistrict}", code="outside-area"
        )
    mine = await repo.votes_of(r.id, principal.sub)
    if item_id in mine:
        raise Conflict(f"You voted for item {item_id} already.", slug="already-voted")
    if len(mine) >= r.max_choices:
        raise RuleViolation(
            "item_id",
            f"at most {r.max_choices} votes per resident in this round; withdraw one first",
            code="vote-limit",
        )
    repo.add_vote(
        MenuVote(
            round_id=r.id,
            item_id=item_id,
            resident_sub=principal.sub,
            community=community,
            created_at=now,
        )
    )
    try:
        await repo.flush()
    except IntegrityError:
        await session.rollback()
        raise Conflict(
            f"You voted for item {item_id} already.", slug="already-voted"
        ) from None
    read = await round_view(session, r, viewer=principal, now=now)
    await session.commit()
    return read


async def withdraw(
    session: AsyncSession,
    *,
    principal: Principal,
    round_id: int,
    item_id: int,
    clock: Clock,
) -> None:
    r = await _get(session, round_id, principal, for_update=True)
    if not _voting_now(r, clock.now()):
        raise WorkflowConflict(
            "menu round",
            from_status=r.status,
            to_status="withdraw",
            detail=f"Voting in round {r.id} is not open now.",
        )
    if not await MenuRepository(session).remove_vote(r.id, principal.sub, item_id):
        raise NotFound(f"You have no vote for item {item_id} in round {r.id}.")
    await session.commit()
