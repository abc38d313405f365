from typing import Annotated

from fastapi import Depends, Query, Request

from facilities_api.settings import Settings
from service_kit.clock import Clock
from service_kit.pagination import PageParams


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_clock(request: Request) -> Clock:
    """The app's clock (create_service_app puts one on app.state; tests set a fixed one)."""
    clock: Clock = request.app.state.clock
    return clock


async def page_params(
    cursor: Annotated[str | None, Query(max_length=500, description="From `next_cursor` of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Items per page.")] = 50,
) -> PageParams:
    """The kit's paging parameters, as an async dependency (a sync one costs a thread hop per request)."""
    return PageParams(cursor=cursor, limit=limit)


# Every dependency here is async: FastAPI runs a sync one in a worker thread, a hop on every request.
SettingsDep = Annotated[Settings, Depends(get_settings)]
ClockDep = Annotated[Clock, Depends(get_clock)]
PageDep = Annotated[PageParams, Depends(page_params)]
