from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from operators_api.volunteers.models import Volunteer, VolunteerService, VolunteerTeam
from service_kit.repository import RepositoryBase


class TeamRepository(RepositoryBase[VolunteerTeam]):
    model = VolunteerTeam
    noun = "volunteer team"

    async def by_name(self, name: str) -> VolunteerTeam | None:
        return (
            await self.session.execute(select(VolunteerTeam).where(VolunteerTeam.name == name))
        ).scalar_one_or_none()

    async def search(self, *, operator_id: int | None, after_id: int | None, limit: int) -> Sequence[VolunteerTeam]:
        stmt = select(VolunteerTeam).order_by(VolunteerTeam.id).limit(limit)
        if after_id is not None:
            stmt = stmt.where(VolunteerTeam.id > after_id)
        if operator_id is not None:
            stmt = stmt.where(VolunteerTeam.operator_id == operator_id)
        return await self.all(stmt)

    async def totals(self, team_ids: list[int]) -> dict[int, tuple[int, int]]:
        """team id → (active members, verified minutes)"""
        if not team_ids:
            return {}
        stmt = (
            select(Volunteer.team_id, func.count(Volunteer.id), func.coalesce(func.sum(Volunteer.verified_minutes), 0))
            .where(Volunteer.team_id.in_(team_ids), Volunteer.status == "active")
            .group_by(Volunteer.team_id)
        )
        return {row[0]: (int(row[1]), int(row[2])) for row in await self.session.execute(stmt)}


class VolunteerRepository(RepositoryBase[Volunteer]):
    """A volunteer with the service records of their hours."""

    model = Volunteer
    noun = "volunteer"

    def add_record(self, record: VolunteerService) -> None:
        self.session.add(record)

    async def search(
        self, *, team_id: int | None, min_level: int | None, after_id: int | None, limit: int
    ) -> Sequence[Volunteer]:
        stmt = select(Volunteer).order_by(Volunteer.id).limit(limit)
        if after_id is not None:
            stmt = stmt.where(Volunteer.id > after_id)
        if team_id is not None:
            stmt = stmt.where(Volunteer.team_id == team_id)
        if min_level is not None:
            stmt = stmt.where(Volunteer.recognition_level >= min_level)
        return await self.all(stmt)

    async def records(self, volunteer_id: int) -> Sequence[VolunteerService]:
        stmt = (
            select(VolunteerService)
            .where(VolunteerService.volunteer_id == volunteer_id)
            .order_by(VolunteerService.served_on, VolunteerService.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def record_for_update(self, record_id: int) -> VolunteerService | None:
        stmt = select(VolunteerService).where(VolunteerService.id == record_id).with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()
