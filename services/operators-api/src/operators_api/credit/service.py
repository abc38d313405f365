"""The credit record (信用记录) of an operator: entries appended by evaluations, rectifications,
honours and trainings; the score is 100 plus their points."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from operators_api import access
from operators_api.audit import service as audit
from operators_api.credit.models import CreditEntry, Honour
from operators_api.credit.repository import CreditRepository, HonourRepository
from operators_api.credit.schemas import BASE_SCORE, HonourCreate
from operators_api.events import outbox
from operators_api.operators.repository import OperatorRepository
from service_kit.auth import Principal
from service_kit.clock import Clock
from service_kit.problems import NotFound, RuleViolation


async def add_entry(
    session: AsyncSession,
    *,
    principal: Principal,
    at: datetime,
    operator_id: int,
    kind: str,
    points: int,
    description: str,
    source_type: str,
    source_id: int,
) -> None:
    """Append an entry in the caller's transaction, and announce it."""
    CreditRepository(session).add(
        CreditEntry(
            operator_id=operator_id,
            kind=kind,
            points=points,
            description=description,
            source_type=source_type,
            source_id=source_id,
            recorded_by=principal.sub,
            recorded_at=at,
        )
    )
    await outbox.record(
        session,
        "credit.recorded",
        {
            "operator_id": operator_id,
            "kind": kind,
            "points": points,
            "description": description,
            "source_type": source_type,
            "source_id": source_id,
        },
        subject=f"operator/{operator_id}",
        actor=principal.sub,
        at=at,
    )


@dataclass(frozen=True, slots=True)
class CreditRecord:
    """An operator's credit record: the base score, and the entries that add to it or take from it."""

    operator_id: int
    entries: Sequence[CreditEntry]
    base: int = BASE_SCORE

    @property
    def score(self) -> int:
        return self.base + sum(e.points for e in self.entries)


async def credit_record(session: AsyncSession, *, viewer: Principal, operator_id: int) -> CreditRecord:
    if await OperatorRepository(session).get(operator_id) is None:
        raise NotFound(f"No operator {operator_id}.")
    access.require_reader(viewer, operator_id, "credit record of operator", operator_id)
    return CreditRecord(operator_id=operator_id, entries=await CreditRepository(session).entries(operator_id))


async def add_honour(
    session: AsyncSession, *, principal: Principal, clock: Clock, operator_id: int, data: HonourCreate
) -> Honour:
    access.require_district_official(principal, "record honours")
    if await OperatorRepository(session).get(operator_id) is None:
        raise NotFound(f"No operator {operator_id}.")
    if data.awarded_on > clock.local_now().date():
        raise RuleViolation("awarded_on", "An honour is recorded once awarded.", code="date-in-future")
    now = clock.now()
    repo = HonourRepository(session)
    h = Honour(
        operator_id=operator_id,
        title=data.title,
        awarded_by=data.awarded_by,
        awarded_on=data.awarded_on,
        points=data.points,
        recorded_by=principal.sub,
        recorded_at=now,
    )
    repo.add(h)
    await repo.flush()
    await add_entry(
        session,
        principal=principal,
        at=now,
        operator_id=operator_id,
        kind="honour",
        points=data.points,
        description=f"荣誉：{data.title}（{data.awarded_by}，{data.awarded_on}）",
        source_type="honour",
        source_id=h.id,
    )
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type="honour",
        entity_id=h.id,
        action="recorded",
        details={"operator_id": operator_id, "title": data.title},
    )
    await session.commit()
    return h


async def honours(session: AsyncSession, *, operator_id: int) -> Sequence[Honour]:
    if await OperatorRepository(session).get(operator_id) is None:
        raise NotFound(f"No operator {operator_id}.")
    return await HonourRepository(session).of_operator(operator_id)
