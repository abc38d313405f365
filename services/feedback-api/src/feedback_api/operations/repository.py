from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Row, bindparam, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from feedback_api.operations.models import Checkin, FacilityOperation
from service_kit.repository import RepositoryBase


class OperationRepository(RepositoryBase[FacilityOperation]):
    """Who runs each facility, keyed by the facility's id."""

    model = FacilityOperation
    noun = "facility operation"

    async def get_many(
        self, facility_ids: Sequence[int]
    ) -> dict[int, Row[int, int | None, str | None, str | None]]:
        """Plain rows (facility_id, operator_id, subdistrict, name_zh) of several facilities, no ORM objects."""
        rows = await self.session.execute(
            _OPERATIONS_OF, {"ids": sorted(set(facility_ids))}
        )
        return {row.facility_id: row for row in rows}

    async def remember(self, values: dict[str, Any]) -> FacilityOperation:
        """The facility's row, inserted with `values` unless a row exists (one written by a concurrent
        request is waited for and kept: INSERT … ON CONFLICT DO NOTHING), then read."""
        dialect = self.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        await self.session.execute(
            insert(FacilityOperation)
            .values(values)
            .on_conflict_do_nothing(index_elements=["facility_id"])
        )
        return await self.get_or_404(values["facility_id"])

    async def operator_name(self, operator_id: int | None) -> str | None:
        """The operator's name as a facility it runs last announced it (None when no facility says)."""
        if operator_id is None:
            return None
        stmt = (
            select(FacilityOperation.operator_name)
            .where(
                FacilityOperation.operator_id == operator_id,
                FacilityOperation.operator_name.is_not(None),
            )
            .order_by(FacilityOperation.updated_at.desc())
            .limit(1)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def facility_ids_of_operator(self, operator_id: int) -> Sequence[int]:
        stmt = select(FacilityOperation.facility_id).where(
            FacilityOperation.operator_id == operator_id
        )
        return (await self.session.execute(stmt)).scalars().all()


class CheckinRepository(RepositoryBase[Checkin]):
    """Check-ins, keyed by the booking's id."""

    model = Checkin
    noun = "check-in"

    async def has_checked_in(
        self, *, resident_sub: str, target_type: str, target_id: int, facility_id: int
    ) -> bool:
        """An activity needs a check-in at it; a facility or one of its services, a check-in at the facility."""
        stmt = (
            select(Checkin.booking_id)
            .where(Checkin.resident_sub == resident_sub)
            .limit(1)
        )
        if target_type == "activity":
            stmt = stmt.where(Checkin.activity_id == target_id)
        else:
            stmt = stmt.where(Checkin.facility_id == facility_id)
        return (await self.session.execute(stmt)).first() is not None

    async def checked_in_many(
        self, wanted: Sequence[tuple[str, str, int, int]]
    ) -> list[bool]:
        """has_checked_in() for several (resident, target type, target id, facility id) in one query."""
        if not wanted:
            return []
        subs, activities, facilities = checkin_lookup(wanted)
        params = {"subs": subs, "activities": activities, "facilities": facilities}
        return checked_in(
            wanted, (await self.session.execute(_CHECKINS_OF, params)).tuples()
        )


# Read for every batch of ratings: built once (the lists are expanding parameters).
def checkin_lookup(
    wanted: Sequence[tuple[str, str, int, int]],
) -> tuple[list[str], list[int], list[int]]:
    """What the check-ins query of checked_in_many() asks for: the residents, the activities rated, the
    facilities rated (themselves, or through a service)."""
    return (
        sorted({w[0] for w in wanted}),
        sorted({w[2] for w in wanted if w[1] == "activity"}),
        sorted({w[3] for w in wanted if w[1] != "activity"}),
    )


def checked_in(
    wanted: Sequence[tuple[str, str, int, int]], rows: Iterable[Sequence[Any]]
) -> list[bool]:
    """For each (resident, target type, target id, facility id): whether a (resident, activity id,
    facility id) check-in row verifies it."""
    at_activity: set[tuple[str, int]] = set()
    at_facility: set[tuple[str, int]] = set()
    for resident_sub, activity_id, facility_id in rows:
        at_activity.add((resident_sub, activity_id))
        at_facility.add((resident_sub, facility_id))
    return [
        (sub, target_id) in at_activity
        if target_type == "activity"
        else (sub, facility_id) in at_facility
        for sub, target_type, target_id, facility_id in wanted
    ]


_OPERATIONS_OF = select(
    FacilityOperation.facility_id,
    FacilityOperation.operator_id,
    FacilityOperation.subdistrict,
    FacilityOperation.name_zh,
).where(FacilityOperation.facility_id.in_(bindparam("ids", expanding=True)))
_CHECKINS_OF = select(
    Checkin.resident_sub, Checkin.activity_id, Checkin.facility_id
).where(
    Checkin.resident_sub.in_(bindparam("subs", expanding=True)),
    or_(
        Checkin.activity_id.in_(bindparam("activities", expanding=True)),
        Checkin.facility_id.in_(bindparam("facilities", expanding=True)),
    ),
)
