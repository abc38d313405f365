from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import joinedload

from facilities_api.activities.models import Activity
from facilities_api.areas.models import Subdistrict
from facilities_api.facilities.models import Facility
from facilities_api.facilities.repository import json_has
from service_kit.repository import RepositoryBase


@dataclass(frozen=True, slots=True)
class ActivityFilter:
    starts_from: datetime | None = None  # UTC
    starts_to: datetime | None = None  # UTC, exclusive
    facility_id: int | None = None
    subdistrict: str | None = None
    category: str | None = None
    brand: str | None = None
    target_group: str | None = None
    has_seats: bool | None = None
    status: str | None = None  # None: published (upcoming and finished)


@dataclass(frozen=True, slots=True)
class DraftScope:
    """Whose drafts the caller may see: everyone's (None fields and all=True), an area's, an operator's."""

    all: bool = False
    subdistrict: str | None = None
    operator_id: int | None = None


class ActivityRepository(RepositoryBase[Activity]):
    model = Activity
    noun = "activity"

    def statement(self) -> Select[Activity]:
        return select(Activity).options(joinedload(Activity.facility).joinedload(Facility.subdistrict))

    def _filtered(
        self, stmt: Select[Activity], f: ActivityFilter, *, now: datetime, drafts: DraftScope
    ) -> Select[Activity]:
        if f.status in (None, "published", "finished"):
            stmt = stmt.where(Activity.status == "published")
            if f.status == "published":
                stmt = stmt.where(Activity.ends_at > now)
            elif f.status == "finished":
                stmt = stmt.where(Activity.ends_at <= now)
        elif f.status == "cancelled":
            stmt = stmt.where(Activity.status == "cancelled")
        elif f.status == "draft":
            stmt = stmt.where(Activity.status == "draft")
            if drafts.all:
                pass
            elif drafts.subdistrict is not None:
                stmt = stmt.where(Activity.facility_id.in_(self._facility_ids_in(drafts.subdistrict)))
            elif drafts.operator_id is not None:
                stmt = stmt.where(
                    Activity.facility_id.in_(select(Facility.id).where(Facility.operator_id == drafts.operator_id))
                )
            else:
                stmt = stmt.where(false())
        if f.starts_from is not None:
            stmt = stmt.where(Activity.starts_at >= f.starts_from)
        if f.starts_to is not None:
            stmt = stmt.where(Activity.starts_at < f.starts_to)
        if f.facility_id is not None:
            stmt = stmt.where(Activity.facility_id == f.facility_id)
        if f.subdistrict:
            stmt = stmt.where(Activity.facility_id.in_(self._facility_ids_in(f.subdistrict)))
        if f.category:
            stmt = stmt.where(Activity.category == f.category)
        if f.brand:
            stmt = stmt.where(Activity.brand == f.brand)
        if f.target_group:
            groups = [json_has(Activity.target_groups, f.target_group)]
            if f.target_group != "all":
                groups.append(json_has(Activity.target_groups, "all"))
            stmt = stmt.where(or_(*groups))
        if f.has_seats is True:
            stmt = stmt.where(Activity.booked_count < Activity.capacity)
        elif f.has_seats is False:
            stmt = stmt.where(Activity.booked_count >= Activity.capacity)
        return stmt

    @staticmethod
    def _facility_ids_in(subdistrict_code: str) -> Select[int]:
        sub_id = select(Subdistrict.id).where(Subdistrict.code == subdistrict_code).scalar_subquery()
        return select(Facility.id).where(Facility.subdistrict_id == sub_id)

    async def list(
        self,
        f: ActivityFilter,
        *,
        now: datetime,
        drafts: DraftScope,
        after: tuple[datetime, int] | None,
        limit: int,
    ) -> Sequence[Activity]:
        stmt = self._filtered(self.statement(), f, now=now, drafts=drafts)
        if after is not None:
            stmt = stmt.where(
                or_(Activity.starts_at > after[0], and_(Activity.starts_at == after[0], Activity.id > after[1]))
            )
        stmt = stmt.order_by(Activity.starts_at, Activity.id).limit(limit)
        return (await self.session.execute(stmt)).scalars().all()

    async def for_booking(self, activity_id: int) -> Activity | None:
        """The activity alone, without its facility: what every booking reads first, so it builds no
        join and loads no more rows than the booking's rules and its answer need."""
        stmt = select(Activity).where(Activity.id == activity_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def take_seats(self, activity_id: int, seats: int, *, unless: ColumnElement[bool] | None = None) -> bool:
        """Hold seats if they are free: one conditional UPDATE, so concurrent bookings never oversell.
        `unless`: a condition the caller adds to the same UPDATE (a new booking does not jump residents
        already waiting: bookings pass "someone is waitlisted")."""
        cond = [
            Activity.id == activity_id,
            Activity.status == "published",
            Activity.booked_count + seats <= Activity.capacity,
        ]
        if unless is not None:
            cond.append(~unless)
        result = await self.session.execute(
            update(Activity)
            .where(*cond)
            .values(booked_count=Activity.booked_count + seats)
            .execution_options(synchronize_session=False)
        )
        return cast(CursorResult[Any], result).rowcount == 1

    async def release_seats(self, activity_id: int, seats: int) -> None:
        await self.session.execute(
            update(Activity)
            .where(Activity.id == activity_id)
            .values(booked_count=Activity.booked_count - seats)
            .execution_options(synchronize_session=False)
        )

    async def booked_count(self, activity_id: int) -> int:
        stmt = select(Activity.booked_count).where(Activity.id == activity_id)
        return int((await self.session.execute(stmt)).scalar_one())

    async def cap_upcoming_fees(self, service_id: int, cap: int, *, now: datetime) -> builtins.list[int]:
        """Activities of this service that have not started and charge above `cap` now charge `cap`."""
        ids = list(
            (
                await self.session.execute(
                    select(Activity.id)
                    .where(Activity.service_id == service_id, Activity.fee_fen > cap, Activity.starts_at > now)
                    .where(Activity.status.in_(("draft", "published")))
                    .order_by(Activity.id)
                )
            ).scalars()
        )
        if ids:
            await self.session.execute(
                update(Activity)
                .where(Activity.id.in_(ids))
                .values(fee_fen=cap, version=Activity.version + 1, updated_at=now)
                .execution_options(synchronize_session=False)
            )
        return ids

    async def refresh(self, obj: Activity) -> None:
        await self.session.refresh(obj, attribute_names=["booked_count", "version", "fee_fen"])
