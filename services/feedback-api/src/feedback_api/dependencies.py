"""Dependency aliases used across the service's routers, declared once."""

from typing import Annotated

from fastapi import Depends, Request

from feedback_api.clients.facilities import FacilitiesClient
from feedback_api.settings import Settings
from service_kit.auth import Principal, require_roles
from service_kit.clock import Clock


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_clock(request: Request) -> Clock:
    # service_kit.clock.get_clock annotates `request` under TYPE_CHECKING only, so FastAPI reads it as a
    # query parameter; this one is the same dependency, resolvable.
    clock: Clock = request.app.state.clock
    return clock


async def get_facilities(request: Request) -> FacilitiesClient:
    facilities: FacilitiesClient = request.app.state.facilities
    return facilities


SettingsDep = Annotated[Settings, Depends(get_settings)]
ClockDep = Annotated[Clock, Depends(get_clock)]
FacilitiesDep = Annotated[FacilitiesClient, Depends(get_facilities)]

ResidentDep = Annotated[Principal, require_roles("resident")]
OfficialDep = Annotated[Principal, require_roles("official")]
# Officials decide; auditors (and other services) read along.
ReaderDep = Annotated[Principal, require_roles("official", "auditor", "service")]


# The district's own administration (keys of other systems, district-wide settings, sweeps of the whole
# district): an official of the whole district (or another service).
DistrictOfficialDep = Annotated[Principal, require_roles("official", district=True)]
DistrictOfficialOrServiceDep = Annotated[
    Principal, require_roles("official", "service", district=True)
]
