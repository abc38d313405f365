from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import case, func, select

from feedback_api.demand.models import DemandRequest, DemandStep
from feedback_api.menu.models import MenuItem, MenuRound, MenuVote
from feedback_api.periods import quarter_range, start_of_day
from service_kit.repository import RepositoryBase, Slice


class DemandRepository(RepositoryBase[DemandRequest]):
    model = DemandRequest
    noun = "demand request"

    async def steps(self, demand_id: int) -> Sequence[DemandStep]:
        stmt = (
            select(DemandStep)
            .where(DemandStep.demand_id == demand_id)
            .order_by(DemandStep.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def delivered_by(self, activity_id: int) -> Sequence[DemandRequest]:
        """The requests an activity is recorded as having delivered, locked."""
        stmt = (
            self.statement()
            .where(
                DemandRequest.activity_id == activity_id,
                DemandRequest.status == "delivered",
            )
            .order_by(DemandRequest.id)
            .with_for_update()
        )
        return await self.all(stmt)

    async def list(
        self,
        *,
        resident_sub: str | None,
        subdistrict: str | None,
        status: str | None,
        category: str | None,
        cursor: str | None,
        limit: int,
        facility_ids: list[int] | None = None,
    ) -> Slice[DemandRequest]:
        stmt = self.statement()
        if facility_ids is not None:
            stmt = stmt.where(DemandRequest.facility_id.in_(facility_ids))
        if resident_sub is not None:
            stmt = stmt.where(DemandRequest.resident_sub == resident_sub)
        if subdistrict is not None:
            stmt = stmt.where(DemandRequest.subdistrict == subdistrict)
        if status:
            stmt = stmt.where(DemandRequest.status == status)
        if category:
            stmt = stmt.where(DemandRequest.category == category)
        return await self.page(stmt, cursor=cursor, limit=limit)

    async def count_by_resident_since(self, resident_sub: str, since: datetime) -> int:
        stmt = select(func.count()).where(
            DemandRequest.resident_sub == resident_sub,
            DemandRequest.created_at >= since,
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def stats(
        self, *, group_by: str, period: str | None
    ) -> dict[str | None, dict[str, int]]:
        d = DemandRequest
        key = {
            "community": d.community,
            "category": d.category,
            "subdistrict": d.subdistrict,
            "period": d.period,
        }[group_by]
        stmt = select(
            key.label("key"),
            func.count().label("requests"),
            *(
                func.coalesce(func.sum(case((d.status == s, 1), else_=0)), 0).label(s)
                for s in ("submitted", "planned", "declined", "delivered")
            ),
        ).group_by(key)
        if period:
            stmt = stmt.where(d.period == period)
        out: dict[str | None, dict[str, int]] = {}
        for row in (await self.session.execute(stmt)).mappings():
            out[row["key"]] = {
                k: int(row[k])
                for k in ("requests", "submitted", "planned", "declined", "delivered")
            }
        return out

    async def vote_stats(
        self, *, group_by: str, period: str | None
    ) -> dict[str | None, int]:
        v, i, r = MenuVote, MenuItem, MenuRound
        if group_by == "period":
            # A round's period: the quarter its offerings start in.
            rounds = (await self.session.execute(select(r.id, r.offer_from))).all()
            counts = dict(
                (
                    await self.session.execute(
                        select(v.round_id, func.count()).group_by(v.round_id)
                    )
                ).all()
            )
            out: dict[str | None, int] = {}
            for round_id, offer_from in rounds:
                q = f"{offer_from.year}Q{(offer_from.month - 1) // 3 + 1}"
                if period and q != period:
                    continue
                out[q] = out.get(q, 0) + int(counts.get(round_id, 0))
            return out
        key = {
            "community": v.community,
            "category": i.category,
            "subdistrict": r.subdistrict,
        }[group_by]
        stmt = (
            select(key.label("key"), func.count().label("votes"))
            .select_from(v)
            .join(i, i.id == v.item_id)
            .join(r, r.id == v.round_id)
            .group_by(key)
        )
        if period:
            first, last = quarter_range(period)
            stmt = stmt.where(
                v.created_at >= start_of_day(first),
                v.created_at < start_of_day(last + timedelta(days=1)),
            )
        return {
            row.key: int(row.votes) for row in (await self.session.execute(stmt)).all()
        }
