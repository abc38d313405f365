from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import RowMapping, func, select

from operators_api.selections.models import Bid, BidScore, PanelMember, Selection
from service_kit.repository import RepositoryBase


@dataclass(frozen=True, slots=True)
class SelectionFilter:
    status: str | None = None
    method: str | None = None
    facility_id: int | None = None
    include_drafts: bool = False


class SelectionRepository(RepositoryBase[Selection]):
    model = Selection
    noun = "selection"

    async def by_reference(self, reference: str) -> Selection | None:
        return (
            await self.session.execute(select(Selection).where(Selection.reference == reference))
        ).scalar_one_or_none()

    async def find(self, f: SelectionFilter, *, after_id: int | None, limit: int) -> Sequence[Selection]:
        stmt = select(Selection).order_by(Selection.id).limit(limit)
        if after_id is not None:
            stmt = stmt.where(Selection.id > after_id)
        if not f.include_drafts:
            stmt = stmt.where(Selection.status != "draft")
        if f.status:
            stmt = stmt.where(Selection.status == f.status)
        if f.method:
            stmt = stmt.where(Selection.method == f.method)
        rows = (await self.session.execute(stmt)).scalars().all()
        if f.facility_id is not None:  # a JSON list: filtered here, portable across both databases
            rows = [r for r in rows if f.facility_id in (r.facility_ids or [])]
        return rows

    async def published_rows(self, *, after_id: int | None, limit: int) -> Sequence[RowMapping]:
        """Selections the public may see (not drafts), in id order, as plain rows: for the OCDS package,
        which reads thousands and needs no ORM objects."""
        t = Selection.__table__
        stmt = select(t).where(t.c.status != "draft").order_by(t.c.id).limit(limit)
        if after_id is not None:
            stmt = stmt.where(t.c.id > after_id)
        return (await self.session.execute(stmt)).mappings().all()

    async def bid_rows(self, selection_ids: list[int]) -> Sequence[RowMapping]:
        if not selection_ids:
            return []
        stmt = (
            select(Bid.id, Bid.selection_id, Bid.operator_id, Bid.price_fen, Bid.status)
            .where(Bid.selection_id.in_(selection_ids))
            .order_by(Bid.id)
        )
        return (await self.session.execute(stmt)).mappings().all()

    # -- bids ---------------------------------------------------------------------------------------
    async def bids(self, selection_id: int) -> Sequence[Bid]:
        stmt = select(Bid).where(Bid.selection_id == selection_id).order_by(Bid.id)
        return (await self.session.execute(stmt)).scalars().all()

    async def bids_of_selections(self, selection_ids: list[int]) -> Sequence[Bid]:
        if not selection_ids:
            return []
        stmt = select(Bid).where(Bid.selection_id.in_(selection_ids)).order_by(Bid.id)
        return (await self.session.execute(stmt)).scalars().all()

    async def count_bids(self, selection_id: int, status: str | None = None) -> int:
        stmt = select(func.count(Bid.id)).where(Bid.selection_id == selection_id)
        if status:
            stmt = stmt.where(Bid.status == status)
        return int((await self.session.execute(stmt)).scalar_one())

    async def bid(self, bid_id: int) -> Bid | None:
        return await self.session.get(Bid, bid_id)

    async def bid_for_update(self, bid_id: int) -> Bid | None:
        return (await self.session.execute(select(Bid).where(Bid.id == bid_id).with_for_update())).scalar_one_or_none()

    async def bid_of_operator(self, selection_id: int, operator_id: int) -> Bid | None:
        stmt = select(Bid).where(Bid.selection_id == selection_id, Bid.operator_id == operator_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    # -- panel and scores ---------------------------------------------------------------------------
    async def panel(self, selection_id: int) -> Sequence[PanelMember]:
        stmt = select(PanelMember).where(PanelMember.selection_id == selection_id).order_by(PanelMember.id)
        return (await self.session.execute(stmt)).scalars().all()

    async def member_by_sub(self, selection_id: int, sub: str) -> PanelMember | None:
        stmt = select(PanelMember).where(PanelMember.selection_id == selection_id, PanelMember.sub == sub)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def scores(self, selection_id: int) -> Sequence[BidScore]:
        stmt = select(BidScore).where(BidScore.selection_id == selection_id).order_by(BidScore.id)
        return (await self.session.execute(stmt)).scalars().all()

    async def scores_of(self, bid_id: int, member_id: int) -> Sequence[BidScore]:
        stmt = select(BidScore).where(BidScore.bid_id == bid_id, BidScore.member_id == member_id)
        return (await self.session.execute(stmt)).scalars().all()

    async def delete_scores(self, rows: Sequence[BidScore]) -> None:
        for row in rows:
            await self.session.delete(row)

    def add_part(self, record: Bid | PanelMember | BidScore) -> None:
        """A bid, panel member or score of a selection, staged."""
        self.session.add(record)
