"""News the contracts domain gives the domains above it, in process, without importing them.

A domain that must act when a contract ends (fees: its approvals end with the contract) subscribes
with `@on_contract_ended` in its service module, which the app imports at start. The handlers run
inside the transaction that ends the contract, in the order they subscribed, and return the ids of
the fee applications they expired, which the contract.ended event lists.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

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
