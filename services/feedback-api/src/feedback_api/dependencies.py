"""Dependency aliases used across the service's routers, declared once."""

from typing import Annotated

from fastapi import Depends, Request

from feedback_api.clients.facilities import FacilitiesClient
from feedback_api.moderation.filter import CommentFilter
from feedback_api.settings import Settings
from service_kit.auth import Principal, require_roles
from service_kit.clock import Clock
from service_kit.problems import Forbidden


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_clock(request: Request) -> Clock:
    # service_kit.clock.get_clock annotates `request` under TYPE_CHECKING only, so FastAPI reads it as a
    # query parameter; this one is the same dependency, resolvable.
    return request.app.state.clock


async def get_facilities(request: Request) -> FacilitiesClient:
    return request.app.state.facilities


async def get_comment_filter(request: Request) -> CommentFilter:
    return request.app.state.comment_filter


SettingsDep = Annotated[Settings, Depends(get_settings)]
ClockDep = Annotated[Clock, Depends(get_clock)]
FacilitiesDep = Annotated[FacilitiesClient, Depends(get_facilities)]
CommentFilterDep = Annotated[CommentFilter, Depends(get_comment_filter)]

ResidentDep = Annotated[Principal, require_roles("resident")]
OfficialDep = Annotated[Principal, require_roles("official")]
# Officials decide; auditors (and other services) read along.
ReaderDep = Annotated[Principal, require_roles("official", "auditor", "service")]


async def _district_official(principal: Annotated[Principal, require_roles("official")]) -> Principal:
    """The district's own administration (keys of other systems, district-wide settings): an official of
    the whole district. Decided, like every gate, before the body is read."""
    if not principal.is_district_official:
        raise Forbidden(
            f"This is the district's administration; an official of {principal.subdistrict} acts within that subdistrict only."
        )
    return principal


async def _district_official_or_service(principal: Annotated[Principal, require_roles("official", "service")]) -> Principal:
    if principal.is_official and not principal.is_district_official:
        raise Forbidden(
            f"This acts on the whole district; an official of {principal.subdistrict} acts within that subdistrict only."
        )
    return principal


DistrictOfficialDep = Annotated[Principal, Depends(_district_official)]
DistrictOfficialOrServiceDep = Annotated[Principal, Depends(_district_official_or_service)]
