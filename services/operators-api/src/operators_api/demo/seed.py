"""Demo data: six invented operators (see data/SOURCES.md). Idempotent: an operator whose unified
social credit code is already registered is left alone, so running it again adds nothing.

Operators are registered and moved along their status path through the same use cases the API
runs, so the demo data passes every rule and leaves the same history and events."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from operators_api import models  # noqa: F401  (every table on the metadata)
from operators_api.operators import service
from operators_api.operators.repository import OperatorRepository
from operators_api.operators.schemas import OperatorCreate, StatusChange
from operators_api.settings import Settings
from service_kit.auth import Principal
from service_kit.clock import Clock
from service_kit.db import make_engine, make_sessionmaker

SEED_PRINCIPAL = Principal(sub="demo-seed", role="official", name="demo seed")
_FIELDS = ("code", "legal_name", "name_en", "type", "uscc", "registered_address", "contacts", "qualifications")


def demo_operators() -> list[dict[str, Any]]:
    return json.loads(resources.files("operators_api.demo").joinpath("data", "operators.json").read_text(encoding="utf-8"))


def _no_version_check(version: int) -> None:
    return None


async def load_demo(sessionmaker: async_sessionmaker[AsyncSession], *, clock: Clock) -> int:
    """Register the demo operators that are not there yet; returns how many were added."""
    added = 0
    for item in demo_operators():
        async with sessionmaker() as session:
            if await OperatorRepository(session).by_uscc(item["uscc"]) is not None:
                continue
            data = OperatorCreate.model_validate({k: item[k] for k in _FIELDS})
            read = await service.register_operator(session, principal=SEED_PRINCIPAL, clock=clock, data=data)
            for step in item.get("status_path", []):
                await service.change_status(
                    session,
                    principal=SEED_PRINCIPAL,
                    clock=clock,
                    operator_id=read["id"],
                    data=StatusChange.model_validate(step),
                    check_version=_no_version_check,
                )
            added += 1
    return added


async def seed_demo(settings: Settings) -> str:
    engine = make_engine(settings.database_url)
    try:
        added = await load_demo(make_sessionmaker(engine), clock=Clock())
    finally:
        await engine.dispose()
    return f"operators-api demo data: {added} operators added"
