"""What the contracts domain tells the domains above it, and asks of them, in process, without
importing them.

News: a domain that must act when a contract ends (fees: its approvals end with the contract)
subscribes with `@on_contract_ended` in its service module, which the app imports at start. The
handlers run inside the transaction that ends the contract, in the order they subscribed, and return
the ids of the fee applications they expired, which the contract.ended event lists.

Questions: a contract names its evaluation scheme, is renewed on its evaluations and pays an
instalment an evaluation adjusted; the evaluations domain answers those questions
(`EvaluationQuestions`), registering its answers with `answer_evaluation_questions` when its service
module is imported.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from operators_api.contracts.models import Contract
from service_kit.auth import Principal
from service_kit.clock import Clock


@dataclass(frozen=True, slots=True)
class ContractEnded:
    """A contract was terminated or expired (its ended_on is set)."""

    contract: Contract
    principal: Principal
    clock: Clock


ContractEndedHandler = Callable[[AsyncSession, ContractEnded], Awaitable[list[int]]]

_ended_handlers: list[ContractEndedHandler] = []


def on_contract_ended(handler: ContractEndedHandler) -> ContractEndedHandler:
    """Subscribe `handler` to every contract's end (once, however often its module is imported)."""
    if handler not in _ended_handlers:
        _ended_handlers.append(handler)
    return handler


async def contract_ended(session: AsyncSession, event: ContractEnded) -> list[int]:
    """Tell every subscriber; the ids of the fee applications they expired, in order."""
    expired: list[int] = []
    for handler in _ended_handlers:
        expired += await handler(session, event)
    return expired


class EvaluationQuestions(Protocol):
    """What contracts asks of the evaluations domain."""

    async def scheme_exists(self, session: AsyncSession, scheme_id: int) -> bool:
        """Whether evaluation scheme `scheme_id` exists (a contract may name it)."""
        ...

    async def renewal_standing(self, session: AsyncSession, contract_id: int) -> tuple[bool, str]:
        """Whether the contract's published evaluations allow its renewal, and why."""
        ...

    async def grade_deciders(self, session: AsyncSession, evaluation_id: int) -> set[str]:
        """Who decided the evaluation's grade (and so the amount of the instalment it adjusted)."""
        ...


_evaluation_answers: list[EvaluationQuestions] = []


def answer_evaluation_questions(answers: EvaluationQuestions) -> None:
    """Register the evaluations domain's answers (the last registered answers)."""
    _evaluation_answers.append(answers)


def evaluations() -> EvaluationQuestions:
    """The evaluations domain's answers; it registers them when its service module is imported."""
    if not _evaluation_answers:
        raise RuntimeError("nothing answers questions about evaluations: import operators_api.evaluations.service")
    return _evaluation_answers[-1]
