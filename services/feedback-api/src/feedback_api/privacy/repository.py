from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, Result, String, literal, select, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.ext.asyncio import AsyncSession

from feedback_api.cases.models import CaseStep, ResidentCase
from feedback_api.db import infra
from feedback_api.demand.models import DemandRequest
from feedback_api.menu.models import MenuItem, MenuVote
from feedback_api.operations.models import Checkin
from feedback_api.ratings.models import Rating

# A record whose resident deleted their account names no one: its own tombstone, unique per record, so
# two records of the same person cannot be linked together again.
TOMBSTONE = "erased:"
# What an erased free text reads, where the column must hold one.
ERASED_TEXT = "（居民已注销账户，内容已删除）"


def _count(result: Result[Any]) -> int:
    """How many rows an UPDATE changed (its result is a CursorResult, which counts them)."""
    return cast(CursorResult[Any], result).rowcount or 0


def _tombstone(kind: str, id_column: Any) -> Any:
    return literal(f"{TOMBSTONE}{kind}:", String).concat(sql_cast(id_column, String))


class PersonalDataRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _all(self, stmt: Any) -> Sequence[Any]:
        return (await self.session.execute(stmt)).scalars().all()

    async def ratings(self, sub: str) -> Sequence[Rating]:
        return await self._all(
            select(Rating).where(Rating.resident_sub == sub).order_by(Rating.id)
        )

    async def cases(self, sub: str) -> Sequence[ResidentCase]:
        return await self._all(
            select(ResidentCase)
            .where(ResidentCase.resident_sub == sub)
            .order_by(ResidentCase.id)
        )

    async def demands(self, sub: str) -> Sequence[DemandRequest]:
        return await self._all(
            select(DemandRequest)
            .where(DemandRequest.resident_sub == sub)
            .order_by(DemandRequest.id)
        )

    async def menu_votes(self, sub: str) -> Sequence[Any]:
        stmt = (
            select(
                MenuVote.round_id,
                MenuVote.item_id,
                MenuItem.title,
                MenuVote.community,
                MenuVote.created_at,
            )
            .join(MenuItem, MenuItem.id == MenuVote.item_id)
            .where(MenuVote.resident_sub == sub)
            .order_by(MenuVote.id)
        )
        return (await self.session.execute(stmt)).all()

    async def check_ins(self, sub: str) -> Sequence[Checkin]:
        return await self._all(
            select(Checkin)
            .where(Checkin.resident_sub == sub)
            .order_by(Checkin.booking_id)
        )

    # -- erasure: set-based, each keyed by the resident's subject, so a second run finds nothing --

    async def anonymise_ratings(self, sub: str) -> int:
        """Scores, target, period, status and verification stay (the index rests on them); the person, the
        comment and the network hash go."""
        result = await self.session.execute(
            update(Rating)
            .where(Rating.resident_sub == sub)
            .values(
                resident_sub=_tombstone("rating", Rating.id),
                comment=None,
                comment_status="none",
                client_network=None,
            )
            .execution_options(synchronize_session=False)
        )
        return _count(result)

    async def anonymise_case_steps(self, sub: str) -> int:
        """The resident's own steps (filing, confirming, reopening) keep their action and time, not their words."""
        result = await self.session.execute(
            update(CaseStep)
            .where(CaseStep.actor_sub == sub)
            .values(actor_sub=_tombstone("case_step", CaseStep.id), note=None)
            .execution_options(synchronize_session=False)
        )
        return _count(result)

    async def anonymise_cases(self, sub: str) -> int:
        """Kind, category, target, status, deadlines, the answer and its rating stay (the response figures rest
        on them); what the resident wrote and how to reach them go."""
        result = await self.session.execute(
            update(ResidentCase)
            .where(ResidentCase.resident_sub == sub)
            .values(
                resident_sub=_tombstone("case", ResidentCase.id),
                title=None,
                description=ERASED_TEXT,
                photo_urls=[],
                attributes={},
                address=None,
                lat=None,
                lon=None,
                contact_name=None,
                contact_phone=None,
                contact_email=None,
                version=ResidentCase.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
        return _count(result)

    async def anonymise_demands(self, sub: str) -> int:
        """Category, area, facility, period and status stay (demand counts); the resident's words go."""
        result = await self.session.execute(
            update(DemandRequest)
            .where(DemandRequest.resident_sub == sub)
            .values(
                resident_sub=_tombstone("demand", DemandRequest.id),
                title=ERASED_TEXT,
                description=None,
                place=None,
                version=DemandRequest.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
        return _count(result)

    async def anonymise_menu_votes(self, sub: str) -> int:
        result = await self.session.execute(
            update(MenuVote)
            .where(MenuVote.resident_sub == sub)
            .values(resident_sub=_tombstone("menu_vote", MenuVote.id))
            .execution_options(synchronize_session=False)
        )
        return _count(result)

    async def scrub_events(self, sub: str) -> int:
        """The outbox keeps the events already published: those the resident caused lose who caused them, and a
        `rating.created` its comment (the events carry no other resident data). A scan of the outbox, once
        per deleted account."""
        ev = infra.event
        rows = (
            await self.session.execute(
                select(ev.c.seq, ev.c.type, ev.c.data).where(ev.c.actor == sub)
            )
        ).all()
        for row in rows:
            data = row.data
            if (
                row.type == "rating.created"
                and isinstance(data, dict)
                and data.get("comment") is not None
            ):
                data = {**data, "comment": None}
            await self.session.execute(
                ev.update().where(ev.c.seq == row.seq).values(actor=None, data=data)
            )
        return len(rows)

    async def anonymise_check_ins(self, sub: str) -> int:
        result = await self.session.execute(
            update(Checkin)
            .where(Checkin.resident_sub == sub)
            .values(resident_sub=_tombstone("checkin", Checkin.booking_id))
            .execution_options(synchronize_session=False)
        )
        return _count(result)
