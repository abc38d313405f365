"""In-process domain events: a lower domain says what happened in its use case, and the higher domains
that care react in the same transaction, without the lower one importing them.

A receiver connects at import time of its module (`main` imports every domain); `send` awaits the
receivers in the order they connected and returns what each gave back. These are not the published
events of `events.py` (the outbox): nothing here leaves the process or outlives the transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

EventT = TypeVar("EventT")
ResultT = TypeVar("ResultT")

Receiver = Callable[[AsyncSession, EventT], Awaitable[ResultT]]
# A reaction's own published events, recorded by the sender after its own (the outbox lock comes last).
Announce = Callable[[], Awaitable[None]]


class Signal(Generic[EventT, ResultT]):
    def __init__(self, name: str) -> None:
        self.name = name
        self._receivers: list[Receiver[EventT, ResultT]] = []

    def connect(self, receiver: Receiver[EventT, ResultT]) -> Receiver[EventT, ResultT]:
        self._receivers.append(receiver)
        return receiver

    async def send(self, session: AsyncSession, event: EventT) -> list[ResultT]:
        return [await receiver(session, event) for receiver in self._receivers]
