"""Time, injectable: code asks the clock, tests set it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request

DISTRICT_TZ = ZoneInfo("Asia/Shanghai")


class Clock:
    def __init__(self, fixed: datetime | None = None) -> None:
        self.fixed = fixed

    def now(self) -> datetime:
        return self.fixed if self.fixed is not None else datetime.now(UTC)

    def local_now(self) -> datetime:
        return self.now().astimezone(DISTRICT_TZ)


def utcnow() -> datetime:
    return datetime.now(UTC)


async def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


ClockDep = Annotated[Clock, Depends(get_clock)]
