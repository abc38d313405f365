"""Facilities that a selection or a contract names must be in the registry (facilities-api): asked before
anything is locked or written, so a typo'd id is refused with its number rather than carried into a
contract that facilities-api would never show as operated."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from operators_api.clients.base import DependencyError
from service_kit.problems import RuleViolation, ServiceUnavailable

# facility ids → those facilities-api has no facility for (raises DependencyError when it cannot say)
UnknownFacilities = Callable[[list[int]], Awaitable[list[int]]]


async def require_registered(unknown_of: UnknownFacilities, facility_ids: list[int]) -> None:
    if not facility_ids:
        return
    try:
        unknown = await unknown_of(list(facility_ids))
    except DependencyError as exc:
        raise ServiceUnavailable(
            f"facilities-api could not confirm the facilities ({exc.message}); nothing was saved, try again later.",
            slug="dependency-unavailable",
        ) from exc
    if unknown:
        named = ", ".join(str(fid) for fid in unknown)
        raise RuleViolation("facility_ids", f"facilities-api knows no facility {named}.", code="unknown-facility")
