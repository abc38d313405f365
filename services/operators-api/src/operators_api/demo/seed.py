"""Demo data: the eight invented operators (see data/SOURCES.md), then the whole loop built on them
(demo/lifecycle.py): selections, contracts, reports, inspections, evaluations, fees, training and
volunteers. Idempotent: what is already there is left alone, so running it again adds nothing.

Everything goes through the same use cases the API runs, so the demo data passes every rule and
leaves the same history, audit entries and events as real data."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from operators_api import models  # noqa: F401  (every table on the metadata)
from operators_api.demo.lifecycle import load_lifecycle
from operators_api.operators import service
from operators_api.operators.repository import OperatorRepository
from operators_api.operators.schemas import OperatorCreate, StatusChange
from operators_api.shared import ANY_VERSION
from service_kit.auth import Principal
from service_kit.clock import Clock
from service_kit.db import make_engine, make_sessionmaker
from service_kit.settings import BaseServiceSettings

SEED_PRINCIPAL = Principal(sub="demo-seed", role="official", name="demo seed")
_FIELDS = ("code", "legal_name", "name_en", "type", "uscc", "registered_address", "contacts", "qualifications")


def demo_operators() -> list[dict[str, Any]]:
    text = resources.files("operators_api.demo").joinpath("data", "operators.json").read_text(encoding="utf-8")
    operators: list[dict[str, Any]] = json.loads(text)
    return operators


async def _status(
    sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, operator_id: int, step: dict[str, Any]
) -> None:
    async with sessionmaker() as session:
        await service.change_status(
            session,
            principal=SEED_PRINCIPAL,
            clock=clock,
            operator_id=operator_id,
            data=StatusChange.model_validate(step),
            if_match=ANY_VERSION,
        )


async def load_operators(
    sessionmaker: async_sessionmaker[AsyncSession], *, clock: Clock
) -> tuple[int, list[tuple[int, dict[str, Any]]]]:
    """Register the demo operators that are not there yet and qualify them; the later steps of their
    status path (a suspension) are returned to be applied once their contracts ran."""
    added = 0
    later: list[tuple[int, dict[str, Any]]] = []
    for item in demo_operators():
        async with sessionmaker() as session:
            if await OperatorRepository(session).by_uscc(item["uscc"]) is not None:
                continue
            data = OperatorCreate.model_validate({k: item[k] for k in _FIELDS})
            operator = await service.register_operator(session, principal=SEED_PRINCIPAL, clock=clock, data=data)
        path = item.get("status_path", [])
        for step in path[:1]:
            await _status(sessionmaker, clock, operator.id, step)
        later += [(operator.id, step) for step in path[1:]]
        added += 1
    return added, later


async def load_demo(sessionmaker: async_sessionmaker[AsyncSession], *, clock: Clock) -> dict[str, int]:
    """Everything the demo needs; returns how many of each were added (nothing on a second run)."""
    added, later = await load_operators(sessionmaker, clock=clock)
    counts = {"operators": added, **await load_lifecycle(sessionmaker, clock=clock)}
    for operator_id, step in later:
        await _status(sessionmaker, clock, operator_id, step)
    return counts


async def seed_demo(settings: BaseServiceSettings) -> str:
    """Load the demo data into the database the settings name (only the database URL is read)."""
    engine = make_engine(settings.database_url)
    try:
        counts = await load_demo(make_sessionmaker(engine), clock=Clock())
    finally:
        await engine.dispose()
    return "operators-api demo data: " + (
        ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in counts.items() if n) or "nothing new"
    )
