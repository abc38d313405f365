"""Use cases of cultivation (培): training programmes (sessions, enrolment, attendance, completion,
which adds to the operator's credit record) and incubation records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from operators_api import access
from operators_api.audit import service as audit
from operators_api.credit.service import add_entry
from operators_api.cultivation.models import Attendance, Enrolment, Incubation, TrainingProgramme, TrainingSession
from operators_api.cultivation.repository import IncubationRepository, ProgrammeRepository
from operators_api.cultivation.schemas import (
    AttendanceSet,
    EnrolmentCreate,
    IncubationCreate,
    IncubationStatusChange,
    ProgrammeCreate,
)
from operators_api.events import outbox
from operators_api.operators.repository import OperatorRepository
from operators_api.periods import local_date
from operators_api.reads import Listing, oldest_first
from operators_api.shared import state_conflict, transition_conflict
from service_kit.auth import Principal
from service_kit.clock import Clock
from service_kit.pagination import decode_id_cursor
from service_kit.problems import Forbidden, NotFound, RuleViolation

INCUBATION_TRANSITIONS = {
    "incubating": frozenset({"graduated", "withdrawn"}),
    "graduated": frozenset(),
    "withdrawn": frozenset(),
}
COMPLETION_POINTS = 1


@dataclass(frozen=True, slots=True)
class ProgrammeWithSessions:
    """A programme, its sessions in order, and how many are enrolled."""

    programme: TrainingProgramme
    sessions: Sequence[TrainingSession]
    enrolled: int


@dataclass(frozen=True, slots=True)
class EnrolmentWithAttendance:
    enrolment: Enrolment
    sessions_attended: int


async def _programme(session: AsyncSession, programme_id: int, *, for_update: bool = False) -> TrainingProgramme:
    return await ProgrammeRepository(session).get_or_404(programme_id, for_update=for_update)


async def read_programme(session: AsyncSession, programme_id: int) -> ProgrammeWithSessions:
    p = await _programme(session, programme_id)
    repo = ProgrammeRepository(session)
    return ProgrammeWithSessions(
        p, (await repo.sessions([p.id]))[p.id], (await repo.enrolled_counts([p.id])).get(p.id, 0)
    )


async def list_programmes(session: AsyncSession, *, cursor: str | None, limit: int) -> Listing[ProgrammeWithSessions]:
    repo = ProgrammeRepository(session)
    found = oldest_first(await repo.search(after_id=decode_id_cursor(cursor), limit=limit + 1), limit)
    ids = [p.id for p in found.items]
    sessions, counts = await repo.sessions(ids), await repo.enrolled_counts(ids)
    return Listing(
        [ProgrammeWithSessions(p, sessions.get(p.id, []), counts.get(p.id, 0)) for p in found.items],
        found.next_cursor,
    )


async def create_programme(
    session: AsyncSession, *, principal: Principal, clock: Clock, data: ProgrammeCreate
) -> ProgrammeWithSessions:
    if principal.role != "official":
        raise Forbidden("Only officials set up training programmes.")
    for n, s in enumerate(data.sessions):
        if s.starts_at >= s.ends_at:
            raise RuleViolation(f"sessions.{n}.ends_at", "A session ends after it starts.", code="session-order")
    if data.min_sessions_for_completion > len(data.sessions):
        raise RuleViolation(
            "min_sessions_for_completion",
            f"The programme has {len(data.sessions)} sessions.",
            code="completion-impossible",
        )
    ordered = sorted(data.sessions, key=lambda s: s.starts_at)
    now = clock.now()
    repo = ProgrammeRepository(session)
    p = TrainingProgramme(
        title=data.title,
        organiser=data.organiser,
        description=data.description,
        audience=data.audience,
        starts_on=local_date(ordered[0].starts_at),
        ends_on=local_date(ordered[-1].ends_at),
        capacity=data.capacity,
        min_sessions_for_completion=data.min_sessions_for_completion,
        status="open",
        created_by=principal.sub,
        created_at=now,
        version=1,
    )
    repo.add(p)
    await repo.flush()
    sessions = [
        TrainingSession(
            programme_id=p.id, seq=i, topic=s.topic, starts_at=s.starts_at, ends_at=s.ends_at, place=s.place
        )
        for i, s in enumerate(ordered, 1)
    ]
    for part in sessions:
        repo.add_part(part)
    await repo.flush()
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type="training",
        entity_id=p.id,
        action="created",
        to_state="open",
        details={"title": p.title},
    )
    await outbox.record(
        session,
        "training.created",
        {"programme_id": p.id, "title": p.title, "audience": p.audience, "starts_on": p.starts_on.isoformat()},
        subject=f"training/{p.id}",
        actor=principal.sub,
        at=now,
    )
    await session.commit()
    return ProgrammeWithSessions(p, sessions, 0)


async def enrol(
    session: AsyncSession, *, principal: Principal, clock: Clock, programme_id: int, data: EnrolmentCreate
) -> EnrolmentWithAttendance:
    operator_id: int | None
    if principal.role == "operator":
        operator_id = access.acting_operator(principal, "enrol")
        if data.operator_id not in (None, operator_id):
            raise Forbidden(f"You act for operator {operator_id}.")
    elif principal.role == "official":
        operator_id = data.operator_id
    else:
        raise Forbidden("Officials, and an operator's staff for their own people, enrol participants.")
    if operator_id is not None and await OperatorRepository(session).get(operator_id) is None:
        raise RuleViolation("operator_id", f"No operator {operator_id}.", code="unknown-operator")
    p = await _programme(session, programme_id, for_update=True)
    if p.status != "open":
        raise state_conflict("The programme is closed.", "training-closed")
    repo = ProgrammeRepository(session)
    if (await repo.enrolled_counts([p.id])).get(p.id, 0) >= p.capacity:
        raise state_conflict(f"All {p.capacity} places are taken.", "training-full")
    if await repo.enrolment_named(p.id, data.participant_name, data.organisation_name) is not None:
        raise state_conflict(
            f"{data.participant_name} of {data.organisation_name} is already enrolled.", "already-enrolled"
        )
    now = clock.now()
    e = Enrolment(
        programme_id=p.id,
        participant_name=data.participant_name,
        organisation_name=data.organisation_name,
        operator_id=operator_id,
        status="enrolled",
        enrolled_by=principal.sub,
        enrolled_at=now,
    )
    repo.add_part(e)
    try:
        await repo.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise state_conflict(f"{data.participant_name} was enrolled at the same moment.", "already-enrolled") from exc
    await session.commit()
    return EnrolmentWithAttendance(e, 0)


async def list_enrolments(
    session: AsyncSession, *, viewer: Principal, programme_id: int
) -> list[EnrolmentWithAttendance]:
    p = await _programme(session, programme_id)
    if access.reads_all(viewer):
        operator_id = None
    elif viewer.role == "operator" and viewer.operator_id is not None:
        operator_id = viewer.operator_id
    else:
        raise Forbidden("Enrolments are shown to officials, auditors and the participants' operators.")
    repo = ProgrammeRepository(session)
    rows = await repo.enrolments(p.id, operator_id)
    counts = await repo.attendance_counts([e.id for e in rows])
    return [EnrolmentWithAttendance(e, counts.get(e.id, 0)) for e in rows]


async def set_attendance(
    session: AsyncSession,
    *,
    principal: Principal,
    clock: Clock,
    programme_id: int,
    session_id: int,
    data: AttendanceSet,
) -> list[EnrolmentWithAttendance]:
    if principal.role != "official":
        raise Forbidden("Officials record attendance.")
    p = await _programme(session, programme_id, for_update=True)
    if p.status != "open":
        raise state_conflict("The programme is closed; its attendance is final.", "training-closed")
    repo = ProgrammeRepository(session)
    if not any(s.id == session_id for s in (await repo.sessions([p.id]))[p.id]):
        raise NotFound(f"Programme {programme_id} has no session {session_id}.")
    enrolments = {e.id: e for e in await repo.enrolments(p.id)}
    unknown = sorted(set(data.enrolment_ids) - {i for i, e in enrolments.items() if e.status == "enrolled"})
    if unknown:
        raise RuleViolation(
            "enrolment_ids", f"Enrolments {unknown} are not enrolled in this programme.", code="unknown-enrolment"
        )
    now = clock.now()
    ids = sorted(set(data.enrolment_ids))
    await repo.replace_attendance(
        session_id,
        ids,
        [Attendance(enrolment_id=i, session_id=session_id, recorded_by=principal.sub, recorded_at=now) for i in ids],
    )
    await repo.flush()
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type="training",
        entity_id=p.id,
        action="attendance_recorded",
        details={"session_id": session_id, "present": ids},
    )
    await session.commit()
    counts = await repo.attendance_counts(list(enrolments))
    return [EnrolmentWithAttendance(e, counts.get(e.id, 0)) for e in enrolments.values()]


async def complete(
    session: AsyncSession, *, principal: Principal, clock: Clock, programme_id: int
) -> list[EnrolmentWithAttendance]:
    """Close the programme: completed when attended at least the required sessions; each operator with
    a participant who completed gets a credit entry."""
    if principal.role != "official":
        raise Forbidden("Officials close training programmes.")
    p = await _programme(session, programme_id, for_update=True)
    if p.status != "open":
        raise state_conflict(
            "The programme is already closed.", "training-closed", **{"from": "closed", "to": "closed"}
        )
    repo = ProgrammeRepository(session)
    enrolments = [e for e in await repo.enrolments(p.id) if e.status == "enrolled"]
    counts = await repo.attendance_counts([e.id for e in enrolments])
    now = clock.now()
    credited: set[int] = set()
    for e in enrolments:
        e.status = "completed" if counts.get(e.id, 0) >= p.min_sessions_for_completion else "not_completed"
        if e.status == "completed" and e.operator_id is not None and e.operator_id not in credited:
            credited.add(e.operator_id)
            await add_entry(
                session,
                principal=principal,
                at=now,
                operator_id=e.operator_id,
                kind="training",
                points=COMPLETION_POINTS,
                description=f"完成培训：{p.title}",
                source_type="training",
                source_id=p.id,
            )
    p.status, p.closed_at = "closed", now
    p.version += 1
    completed = sum(e.status == "completed" for e in enrolments)
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type="training",
        entity_id=p.id,
        action="closed",
        from_state="open",
        to_state="closed",
        details={"completed": completed, "enrolled": len(enrolments)},
    )
    await outbox.record(
        session,
        "training.completed",
        {"programme_id": p.id, "completed": completed, "enrolled": len(enrolments)},
        subject=f"training/{p.id}",
        actor=principal.sub,
        at=now,
    )
    await session.commit()
    return [EnrolmentWithAttendance(e, counts.get(e.id, 0)) for e in enrolments]


# -- incubations ------------------------------------------------------------------------------------
async def list_incubations(
    session: AsyncSession, *, status: str | None, cursor: str | None, limit: int
) -> Listing[Incubation]:
    rows = await IncubationRepository(session).search(status=status, after_id=decode_id_cursor(cursor), limit=limit + 1)
    return oldest_first(rows, limit)


async def get_incubation(session: AsyncSession, incubation_id: int) -> Incubation:
    return await IncubationRepository(session).get_or_404(incubation_id)


async def create_incubation(
    session: AsyncSession, *, principal: Principal, clock: Clock, data: IncubationCreate
) -> Incubation:
    if principal.role != "official":
        raise Forbidden("Officials record incubations.")
    if data.planned_end_on < data.started_on:
        raise RuleViolation("planned_end_on", "An incubation ends after it starts.", code="period-order")
    if data.operator_id is not None and await OperatorRepository(session).get(data.operator_id) is None:
        raise RuleViolation("operator_id", f"No operator {data.operator_id}.", code="unknown-operator")
    now = clock.now()
    repo = IncubationRepository(session)
    i = Incubation(
        **data.model_dump(), status="incubating", outcome="", created_by=principal.sub, created_at=now, version=1
    )
    repo.add(i)
    await repo.flush()
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type="incubation",
        entity_id=i.id,
        action="created",
        to_state="incubating",
        details={"organisation_name": i.organisation_name},
    )
    await session.commit()
    return i


async def change_incubation(
    session: AsyncSession, *, principal: Principal, clock: Clock, incubation_id: int, data: IncubationStatusChange
) -> Incubation:
    if principal.role != "official":
        raise Forbidden("Officials record incubation outcomes.")
    i = await IncubationRepository(session).get_or_404(incubation_id, for_update=True)
    if data.status not in INCUBATION_TRANSITIONS[i.status]:
        raise transition_conflict("incubation", i.status, data.status, INCUBATION_TRANSITIONS)
    now = clock.now()
    old = i.status
    i.status, i.outcome = data.status, data.reason
    i.version += 1
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type="incubation",
        entity_id=i.id,
        action="status_changed",
        from_state=old,
        to_state=data.status,
        reason=data.reason,
    )
    await outbox.record(
        session,
        f"incubation.{data.status}",
        {"incubation_id": i.id, "organisation_name": i.organisation_name, "reason": data.reason},
        subject=f"incubation/{i.id}",
        actor=principal.sub,
        at=now,
    )
    await session.commit()
    return i
