"""Use cases of the operator registry: register, read (masked by who asks), list, edit (concurrency-safe,
with history), change status along the transition table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from operators_api.events import outbox
from operators_api.operators.models import Operator, OperatorChange
from operators_api.operators.repository import OperatorFilter, OperatorRepository
from operators_api.operators.rules import (
    STAFF_EDITABLE,
    TRANSITIONS,
    is_own_staff,
    mask_contacts,
    transition_allowed,
    uscc_type_problem,
)
from operators_api.operators.schemas import OperatorCreate, OperatorRead, OperatorUpdate, StatusChange
from operators_api.reads import Listing, oldest_first
from service_kit.auth import Principal
from service_kit.clock import Clock
from service_kit.etag import IfMatch
from service_kit.pagination import decode_id_cursor
from service_kit.problems import (
    Conflict,
    FieldError,
    Forbidden,
    RuleViolation,
)


def _published(operator: Operator, today: date) -> dict[str, Any]:
    """The operator as events publish it: as the public reads it."""
    published: dict[str, Any] = _jsonable(OperatorRead.for_viewer(operator, viewer=None, today=today).model_dump())
    return published


def _jsonable(value: Any) -> Any:
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value if isinstance(value, (int, float, str, bool, type(None))) else str(value)


def _public_changes(changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Changes as published in events: contacts masked, as the public would read them."""
    return {
        field: [mask_contacts(v) if isinstance(v, list) else v for v in pair] if field == "contacts" else pair
        for field, pair in changes.items()
    }


def _duplicate(field: str, value: str, existing: Operator) -> Conflict:
    label = {"uscc": "unified social credit code", "code": "code"}[field]
    message = f"Operator {existing.id} ({existing.legal_name}) already has the {label} {value}."
    return Conflict(
        message,
        slug=f"duplicate-{field}",
        errors=[FieldError(field=field, message=message, code=f"duplicate-{field}")],
        existing={"id": existing.id, "code": existing.code},
    )


async def _check_unique(repo: OperatorRepository, *, field: str, value: str, operator_id: int | None) -> None:
    existing = await (repo.by_uscc(value) if field == "uscc" else repo.by_code(value))
    if existing is not None and existing.id != operator_id:
        raise _duplicate(field, value, existing)


def _check_type_matches_uscc(operator_type: str, uscc: str) -> None:
    problem = uscc_type_problem(operator_type, uscc)
    if problem:
        raise RuleViolation("type", problem, code="uscc-type-mismatch")


async def _flush_unique(session: AsyncSession, repo: OperatorRepository) -> None:
    """Two officials registering the same code at once: the database's unique constraint decides."""
    try:
        await repo.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(
            "Another operator with this unified social credit code or code was saved at the same moment; "
            "read the list again.",
            slug="duplicate-operator",
        ) from exc


async def register_operator(
    session: AsyncSession, *, principal: Principal, clock: Clock, data: OperatorCreate
) -> Operator:
    repo = OperatorRepository(session)
    code = data.code or data.uscc.lower()
    _check_type_matches_uscc(data.type, data.uscc)
    await _check_unique(repo, field="uscc", value=data.uscc, operator_id=None)
    await _check_unique(repo, field="code", value=code, operator_id=None)
    now = clock.now()
    operator = Operator(
        code=code,
        legal_name=data.legal_name,
        name_en=data.name_en,
        type=data.type,
        uscc=data.uscc,
        registered_address=data.registered_address,
        contacts=[c.model_dump(mode="json") for c in data.contacts],
        qualifications=[q.model_dump(mode="json") for q in data.qualifications],
        status="registered",
        version=1,
        created_at=now,
        updated_at=now,
    )
    repo.add(operator)
    await _flush_unique(session, repo)
    today = clock.local_now().date()
    repo.add_change(
        OperatorChange(
            operator_id=operator.id,
            version=1,
            actor=principal.sub,
            actor_role=principal.role,
            action="registered",
            changes={},
            reason=None,
            changed_at=now,
        )
    )
    await outbox.record(
        session,
        "operator.registered",
        _published(operator, today),
        subject=f"operator/{operator.id}",
        actor=principal.sub,
    )
    await session.commit()
    return operator


async def get_operator(session: AsyncSession, *, operator_id: int) -> Operator:
    return await OperatorRepository(session).get_or_404(operator_id)


def _check_may_edit(principal: Principal, operator_id: int, fields: set[str]) -> None:
    if principal.role == "official":
        return
    if principal.role == "operator":
        if not is_own_staff(principal, operator_id):
            raise Forbidden(f"You act for operator {principal.operator_id}; this is operator {operator_id}.")
        refused = sorted(fields - STAFF_EDITABLE)
        if refused:
            raise Forbidden(
                f"An operator's own staff may change {', '.join(sorted(STAFF_EDITABLE))}; "
                f"{', '.join(refused)} only an official may change."
            )
        return
    raise Forbidden(
        f"Only officials and the operator's own staff edit an operator; you are signed in as {principal.role}."
    )


async def update_operator(
    session: AsyncSession,
    *,
    principal: Principal,
    clock: Clock,
    operator_id: int,
    data: OperatorUpdate,
    if_match: IfMatch,
) -> Operator:
    repo = OperatorRepository(session)
    operator = await repo.get_or_404(operator_id, for_update=True)
    patch = data.model_dump(exclude_unset=True, mode="json")
    _check_may_edit(principal, operator_id, set(patch))
    if_match.check(operator.version)
    today = clock.local_now().date()
    if "uscc" in patch:
        await _check_unique(repo, field="uscc", value=patch["uscc"], operator_id=operator.id)
    if "uscc" in patch or "type" in patch:
        _check_type_matches_uscc(patch.get("type", operator.type), patch.get("uscc", operator.uscc))
    changes: dict[str, list[Any]] = {}
    for field, new in patch.items():
        old = getattr(operator, field)
        if _jsonable(old) != new:
            changes[field] = [_jsonable(old), new]
            setattr(operator, field, new)
    if not changes:
        return operator
    now = clock.now()
    operator.version += 1
    operator.updated_at = now
    repo.add_change(
        OperatorChange(
            operator_id=operator.id,
            version=operator.version,
            actor=principal.sub,
            actor_role=principal.role,
            action="updated",
            changes=changes,
            reason=None,
            changed_at=now,
        )
    )
    await _flush_unique(session, repo)
    await outbox.record(
        session,
        "operator.updated",
        {"operator": _published(operator, today), "changes": _public_changes(changes)},
        subject=f"operator/{operator.id}",
        actor=principal.sub,
    )
    await session.commit()
    return operator


async def change_status(
    session: AsyncSession,
    *,
    principal: Principal,
    clock: Clock,
    operator_id: int,
    data: StatusChange,
    if_match: IfMatch,
) -> Operator:
    repo = OperatorRepository(session)
    operator = await repo.get_or_404(operator_id, for_update=True)
    if_match.check(operator.version, required=False)
    old, new = operator.status, data.status
    if not transition_allowed(old, new):
        allowed = sorted(TRANSITIONS[old])
        # Members of the problem body ("from" is a keyword, hence the mapping).
        extension: dict[str, Any] = {"from": old, "to": new, "allowed": allowed}
        raise Conflict(
            f"An operator cannot go from {old} to {new}; from {old} it may go to "
            f"{', '.join(allowed) if allowed else 'nothing (final)'}.",
            slug="status-transition",
            **extension,
        )
    now = clock.now()
    operator.status = new
    operator.version += 1
    operator.updated_at = now
    repo.add_change(
        OperatorChange(
            operator_id=operator.id,
            version=operator.version,
            actor=principal.sub,
            actor_role=principal.role,
            action="status_changed",
            changes={"status": [old, new]},
            reason=data.reason,
            changed_at=now,
        )
    )
    await repo.flush()
    await outbox.record(
        session,
        "operator.status_changed",
        {"operator_id": operator.id, "code": operator.code, "old": old, "new": new, "reason": data.reason},
        subject=f"operator/{operator.id}",
        actor=principal.sub,
    )
    await session.commit()
    return operator


async def list_operators(
    session: AsyncSession, *, filters: OperatorFilter, cursor: str | None, limit: int
) -> Listing[Operator]:
    """Operators in id order, `limit` at a time."""
    rows = await OperatorRepository(session).find(filters, after_id=decode_id_cursor(cursor or None), limit=limit + 1)
    return oldest_first(rows, limit)


async def operator_history(session: AsyncSession, *, operator_id: int) -> Sequence[OperatorChange]:
    repo = OperatorRepository(session)
    await repo.get_or_404(operator_id)
    return await repo.history(operator_id)
