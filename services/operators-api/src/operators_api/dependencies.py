from typing import Annotated

from fastapi import Depends, Request

from operators_api.settings import Settings
from service_kit.clock import Clock


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_clock(request: Request) -> Clock:
    """The app's clock: real time, or the fixed time a test set on app.state.clock."""
    clock: Clock = request.app.state.clock
    return clock


SettingsDep = Annotated[Settings, Depends(get_settings)]
ClockDep = Annotated[Clock, Depends(get_clock)]
