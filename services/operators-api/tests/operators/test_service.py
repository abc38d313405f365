"""Use cases called directly, for what HTTP cannot stage: two registrations racing for one code."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from operators_api.operators import service
from operators_api.operators.models import Operator
from operators_api.operators.schemas import OperatorCreate
from service_kit.auth import Principal
from service_kit.problems import Conflict
from tests.factories import new_uscc, operator_body

OFFICIAL = Principal(sub="official-race", role="official")


async def test_the_unique_constraint_decides_a_race(sessionmaker, clock, monkeypatch):
    data = OperatorCreate.model_validate(operator_body(uscc=new_uscc()))
    async with sessionmaker() as session:
        await service.register_operator(session, principal=OFFICIAL, clock=clock, data=data)

    # The second official's check ran before the first one committed: it saw no duplicate.
    async def saw_nothing(*args, **kwargs) -> None:
        return None

    monkeypatch.setattr(service, "_check_unique", saw_nothing)
    async with sessionmaker() as session:
        with pytest.raises(Conflict) as refused:
            await service.register_operator(session, principal=OFFICIAL, clock=clock, data=data)
    assert refused.value.status == 409 and refused.value.slug == "duplicate-operator"
    async with sessionmaker() as session:
        assert (await session.execute(select(func.count(Operator.id)))).scalar_one() == 1
