"""Use cases of cultural volunteering (文化志愿服务): teams, members, service records whose hours are
verified by the facility (its operator under the contract of that day, or an official), and
recognition when verified hours cross the thresholds (e.g. 100/300/1000 hours)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from operators_api import access
from operators_api.audit import service as audit
from operators_api.contracts.repository import ContractRepository
from operators_api.events import outbox
from operators_api.operators.repository import OperatorRepository
from operators_api.reads import Listing, oldest_first
from operators_api.shared import state_conflict
from operators_api.volunteers.models import Volunteer, VolunteerService, VolunteerTeam
from operators_api.volunteers.repository import TeamRepository, VolunteerRepository
from operators_api.volunteers.rules import hours, recognition
from operators_api.volunteers.schemas import ServiceCreate, TeamCreate, VerificationCreate, VolunteerCreate
from service_kit.auth import Principal
from service_kit.clock import Clock
from service_kit.pagination import decode_id_cursor
from service_kit.problems import Forbidden, NotFound, RuleViolation


def sees_personal(viewer: Principal | None, team: VolunteerTeam) -> bool:
    """Whether `viewer` sees a member's name and phone in full: officials, auditors and the team's operator."""
    return access.reads_all(viewer) or (team.operator_id is not None and access.is_staff_of(viewer, team.operator_id))


@dataclass(frozen=True, slots=True)
class TeamWithTotals:
    team: VolunteerTeam
    members: int
    verified_minutes: int


@dataclass(frozen=True, slots=True)
class Member:
    """A volunteer, their team, and whether the viewer sees their name and phone in full."""

    volunteer: Volunteer
    team: VolunteerTeam
    sees_personal: bool


def _may_manage_team(principal: Principal, team: VolunteerTeam) -> bool:
    return principal.role == "official" or (
        team.operator_id is not None and access.is_staff_of(principal, team.operator_id)
    )


async def _team(session: AsyncSession, team_id: int) -> VolunteerTeam:
    return await TeamRepository(session).get_or_404(team_id)


async def list_teams(
    session: AsyncSession, *, operator_id: int | None, cursor: str | None, limit: int
) -> Listing[TeamWithTotals]:
    repo = TeamRepository(session)
    found = oldest_first(
        await repo.search(operator_id=operator_id, after_id=decode_id_cursor(cursor), limit=limit + 1), limit
    )
    totals = await repo.totals([t.id for t in found.items])
    return Listing([TeamWithTotals(t, *totals.get(t.id, (0, 0))) for t in found.items], found.next_cursor)


async def get_team(session: AsyncSession, team_id: int) -> TeamWithTotals:
    t = await _team(session, team_id)
    return TeamWithTotals(t, *(await TeamRepository(session).totals([t.id])).get(t.id, (0, 0)))


async def create_team(session: AsyncSession, *, principal: Principal, clock: Clock, data: TeamCreate) -> TeamWithTotals:
    operator_id = data.operator_id
    if principal.role == "operator":
        operator_id = access.acting_operator(principal, "form volunteer teams")
        if data.operator_id not in (None, operator_id):
            raise Forbidden(f"You act for operator {operator_id}.")
    elif principal.role != "official":
        raise Forbidden("Officials and operators' staff form volunteer teams.")
    if operator_id is not None and await OperatorRepository(session).get(operator_id) is None:
        raise RuleViolation("operator_id", f"No operator {operator_id}.", code="unknown-operator")
    repo = TeamRepository(session)
    if await repo.by_name(data.name) is not None:
        raise state_conflict(f"A team named {data.name} exists.", "duplicate-team", "name")
    now = clock.now()
    t = VolunteerTeam(
        name=data.name,
        operator_id=operator_id,
        facility_id=data.facility_id,
        leader_name=data.leader_name,
        founded_on=data.founded_on,
        description=data.description,
        created_by=principal.sub,
        created_at=now,
    )
    repo.add(t)
    try:
        await repo.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise state_conflict(
            f"A team named {data.name} was formed at the same moment.", "duplicate-team", "name"
        ) from exc
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type="volunteer_team",
        entity_id=t.id,
        action="created",
        details={"name": t.name},
    )
    await session.commit()
    return TeamWithTotals(t, 0, 0)


async def add_member(
    session: AsyncSession,
    *,
    principal: Principal,
    clock: Clock,
    team_id: int,
    data: VolunteerCreate,
) -> Member:
    t = await _team(session, team_id)
    if not _may_manage_team(principal, t):
        raise Forbidden("Officials and the team's operator add members.")
    now = clock.now()
    repo = VolunteerRepository(session)
    v = Volunteer(
        team_id=t.id,
        name=data.name,
        phone=data.phone,
        joined_on=data.joined_on,
        status="active",
        verified_minutes=0,
        recognition_level=0,
        created_at=now,
    )
    repo.add(v)
    await repo.flush()
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type="volunteer",
        entity_id=v.id,
        action="joined",
        details={"team_id": t.id},
    )
    await session.commit()
    return Member(v, t, sees_personal(principal, t))


async def list_volunteers(
    session: AsyncSession,
    *,
    viewer: Principal | None,
    team_id: int | None,
    min_level: int | None,
    cursor: str | None,
    limit: int,
) -> Listing[Member]:
    repo = VolunteerRepository(session)
    found = oldest_first(
        await repo.search(team_id=team_id, min_level=min_level, after_id=decode_id_cursor(cursor), limit=limit + 1),
        limit,
    )
    teams = {tid: await TeamRepository(session).get_or_404(tid) for tid in {v.team_id for v in found.items}}
    members = [Member(v, teams[v.team_id], sees_personal(viewer, teams[v.team_id])) for v in found.items]
    return Listing(members, found.next_cursor)


async def _volunteer(
    session: AsyncSession, volunteer_id: int, *, for_update: bool = False
) -> tuple[Volunteer, VolunteerTeam]:
    v = await VolunteerRepository(session).get_or_404(volunteer_id, for_update=for_update)
    t = await TeamRepository(session).get_or_404(v.team_id)
    return v, t


async def get_volunteer(session: AsyncSession, *, viewer: Principal | None, volunteer_id: int) -> Member:
    v, t = await _volunteer(session, volunteer_id)
    return Member(v, t, sees_personal(viewer, t))


async def list_records(session: AsyncSession, *, volunteer_id: int) -> Sequence[VolunteerService]:
    await _volunteer(session, volunteer_id)
    return await VolunteerRepository(session).records(volunteer_id)


async def submit_record(
    session: AsyncSession, *, principal: Principal, clock: Clock, volunteer_id: int, data: ServiceCreate
) -> VolunteerService:
    v, t = await _volunteer(session, volunteer_id)
    if not _may_manage_team(principal, t):
        raise Forbidden("Officials and the team's operator record volunteer service.")
    if v.status != "active":
        raise state_conflict("This volunteer has left the team.", "volunteer-left")
    if data.served_on > clock.local_now().date():
        raise RuleViolation("served_on", "Service is recorded once done.", code="date-in-future")
    now = clock.now()
    repo = VolunteerRepository(session)
    s = VolunteerService(
        volunteer_id=v.id,
        facility_id=data.facility_id,
        served_on=data.served_on,
        minutes=int(data.hours * 60),
        activity=data.activity,
        status="submitted",
        submitted_by=principal.sub,
        submitted_at=now,
    )
    repo.add_record(s)
    await repo.flush()
    await session.commit()
    return s


async def verify_record(
    session: AsyncSession,
    *,
    principal: Principal,
    clock: Clock,
    volunteer_id: int,
    record_id: int,
    data: VerificationCreate,
    thresholds: list[int],
) -> VolunteerService:
    v, t = await _volunteer(session, volunteer_id, for_update=True)
    repo = VolunteerRepository(session)
    s = await repo.record_for_update(record_id)
    if s is None or s.volunteer_id != v.id:
        raise NotFound(f"Volunteer {volunteer_id} has no service record {record_id}.")
    running = await ContractRepository(session).operator_of_facility(s.facility_id, s.served_on)
    if principal.role != "official" and not (
        running is not None and access.is_staff_of(principal, running.operator_id)
    ):
        raise Forbidden(
            f"Hours are verified by the operator that ran facility {s.facility_id} on {s.served_on}, or by an official."
        )
    if principal.sub == s.submitted_by or (t.operator_id is not None and access.is_staff_of(principal, t.operator_id)):
        # Hours recorded for an operator's own team are confirmed by someone who does not gain by them.
        raise Forbidden(
            "An operator does not verify its own team's hours, nor anyone the hours they recorded: an official, or the other "
            "operator that ran the facility that day, verifies them.",
            slug="same-party",
        )
    if s.status != "submitted":
        raise state_conflict(
            f"This record is already {s.status}.", "record-decided", **{"from": s.status, "to": data.decision}
        )
    if data.decision == "rejected" and not data.reason:
        raise RuleViolation("reason", "Say why the hours are rejected.", code="reason-required")
    now = clock.now()
    s.status, s.verified_by, s.verified_at, s.reason = data.decision, principal.sub, now, data.reason or None
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type="volunteer_service",
        entity_id=s.id,
        action=data.decision,
        from_state="submitted",
        to_state=data.decision,
        reason=data.reason or None,
        details={"volunteer_id": v.id, "minutes": s.minutes},
    )
    if data.decision == "verified":
        v.verified_minutes += s.minutes
        level = recognition(v.verified_minutes, thresholds).level
        if level > v.recognition_level:
            v.recognition_level = level
            reached = sorted(thresholds)[level - 1]
            await outbox.record(
                session,
                "volunteer.recognised",
                {
                    "volunteer_id": v.id,
                    "team_id": t.id,
                    "level": level,
                    "hours": str(hours(v.verified_minutes)),
                    "threshold_hours": reached,
                },
                subject=f"volunteer/{v.id}",
                actor=principal.sub,
                at=now,
            )
            audit.record(
                session,
                principal=principal,
                at=now,
                entity_type="volunteer",
                entity_id=v.id,
                action="recognised",
                details={"level": level, "threshold_hours": reached},
            )
    await session.commit()
    return s
