"""Dependency aliases used across the service's routers, declared once."""

from typing import Annotated

from fastapi import Depends, Request

from feedback_api.clients.facilities import FacilitiesClient
from feedback_api.settings import Settings
from service_kit.clock import Clock


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_clock(request: Request) -> Clock:
    return request.app.state.clock


def get_facilities(request: Request) -> FacilitiesClient:
    return request.app.state.facilities


SettingsDep = Annotated[Settings, Depends(get_settings)]
ClockDep = Annotated[Clock, Depends(get_clock)]
FacilitiesDep = Annotated[FacilitiesClient, Depends(get_facilities)]
