from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from operators_api.cultivation.models import Attendance, Enrolment, Incubation, TrainingProgramme, TrainingSession


class CultivationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def programme(self, programme_id: int, *, for_update: bool = False) -> TrainingProgramme | None:
        stmt = select(TrainingProgramme).where(TrainingProgramme.id == programme_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def programme_by_title(self, title: str) -> TrainingProgramme | None:
        return (
            await self.session.execute(select(TrainingProgramme).where(TrainingProgramme.title == title).limit(1))
        ).scalar_one_or_none()

    async def programmes(self, *, after_id: int | None, limit: int) -> Sequence[TrainingProgramme]:
        stmt = select(TrainingProgramme).order_by(TrainingProgramme.id).limit(limit)
        if after_id is not None:
            stmt = stmt.where(TrainingProgramme.id > after_id)
        return (await self.session.execute(stmt)).scalars().all()

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
        for row in rows:
            self.session.add(row)

    # -- incubations --------------------------------------------------------------------------------
    async def incubation(self, incubation_id: int, *, for_update: bool = False) -> Incubation | None:
        stmt = select(Incubation).where(Incubation.id == incubation_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def incubations(self, *, status: str | None, after_id: int | None, limit: int) -> Sequence[Incubation]:
        stmt = select(Incubation).order_by(Incubation.id).limit(limit)
        if after_id is not None:
            stmt = stmt.where(Incubation.id > after_id)
        if status:
            stmt = stmt.where(Incubation.status == status)
        return (await self.session.execute(stmt)).scalars().all()

    def add(self, obj: object) -> None:
        self.session.add(obj)

    async def flush(self) -> None:
        await self.session.flush()
