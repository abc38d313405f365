from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select

from operators_api.cultivation.models import Attendance, Enrolment, Incubation, TrainingProgramme, TrainingSession
from service_kit.repository import RepositoryBase


class ProgrammeRepository(RepositoryBase[TrainingProgramme]):
    """A training programme with its sessions, enrolments and attendance."""

    model = TrainingProgramme
    noun = "training programme"

    def add_part(self, part: TrainingSession | Enrolment | Attendance) -> None:
        self.session.add(part)

    async def by_title(self, title: str) -> TrainingProgramme | None:
        return (
            await self.session.execute(select(TrainingProgramme).where(TrainingProgramme.title == title).limit(1))
        ).scalar_one_or_none()

    async def search(self, *, after_id: int | None, limit: int) -> Sequence[TrainingProgramme]:
        stmt = select(TrainingProgramme).order_by(TrainingProgramme.id).limit(limit)
        if after_id is not None:
            stmt = stmt.where(TrainingProgramme.id > after_id)
        return await self.all(stmt)

    async def sessions(self, programme_ids: list[int]) -> dict[int, list[TrainingSession]]:
        out: dict[int, list[TrainingSession]] = {p: [] for p in programme_ids}
        if not programme_ids:
            return out
        stmt = (
            select(TrainingSession)
            .where(TrainingSession.programme_id.in_(programme_ids))
            .order_by(TrainingSession.programme_id, TrainingSession.seq)
        )
        for s in (await self.session.execute(stmt)).scalars():
            out[s.programme_id].append(s)
        return out

    async def enrolled_counts(self, programme_ids: list[int]) -> dict[int, int]:
        if not programme_ids:
            return {}
        stmt = (
            select(Enrolment.programme_id, func.count(Enrolment.id))
            .where(Enrolment.programme_id.in_(programme_ids), Enrolment.status != "withdrawn")
            .group_by(Enrolment.programme_id)
        )
        return {row[0]: int(row[1]) for row in await self.session.execute(stmt)}

    async def enrolments(self, programme_id: int, operator_id: int | None = None) -> Sequence[Enrolment]:
        stmt = select(Enrolment).where(Enrolment.programme_id == programme_id).order_by(Enrolment.id)
        if operator_id is not None:
            stmt = stmt.where(Enrolment.operator_id == operator_id)
        return (await self.session.execute(stmt)).scalars().all()

    async def enrolment_named(self, programme_id: int, participant: str, organisation: str) -> Enrolment | None:
        stmt = select(Enrolment).where(
            Enrolment.programme_id == programme_id,
            Enrolment.participant_name == participant,
            Enrolment.organisation_name == organisation,
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def attendance_counts(self, enrolment_ids: list[int]) -> dict[int, int]:
        if not enrolment_ids:
            return {}
        stmt = (
            select(Attendance.enrolment_id, func.count(Attendance.id))
            .where(Attendance.enrolment_id.in_(enrolment_ids))
            .group_by(Attendance.enrolment_id)
        )
        return {row[0]: int(row[1]) for row in await self.session.execute(stmt)}

    async def replace_attendance(self, session_id: int, enrolment_ids: list[int], rows: list[Attendance]) -> None:
        await self.session.execute(delete(Attendance).where(Attendance.session_id == session_id))
        self.session.add_all(rows)


class IncubationRepository(RepositoryBase[Incubation]):
    model = Incubation
    noun = "incubation"

    async def search(self, *, status: str | None, after_id: int | None, limit: int) -> Sequence[Incubation]:
        stmt = select(Incubation).order_by(Incubation.id).limit(limit)
        if after_id is not None:
            stmt = stmt.where(Incubation.id > after_id)
        if status:
            stmt = stmt.where(Incubation.status == status)
        return await self.all(stmt)
