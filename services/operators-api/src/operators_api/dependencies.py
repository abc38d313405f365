from typing import Annotated

from fastapi import Depends, Request

from operators_api.settings import Settings
from service_kit.clock import Clock


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_clock(request: Request) -> Clock:
    """The app's clock: real time, or the fixed time a test set on app.state.clock."""
    return request.app.state.clock


SettingsDep = Annotated[Settings, Depends(get_settings)]
ClockDep = Annotated[Clock, Depends(get_clock)]
