"""Facilities that a selection or a contract names must be in the registry (facilities-api): asked before
anything is locked or written, so a typo'd id is refused with its number rather than carried into a
contract that facilities-api would never show as operated."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from operators_api.clients.base import DependencyError
from service_kit.auth import Principal
from service_kit.problems import Forbidden, RuleViolation, ServiceUnavailable

# facility ids → those facilities-api has no facility for (raises DependencyError when it cannot say)
UnknownFacilities = Callable[[list[int]], Awaitable[list[int]]]
# facility ids → the subdistrict of each facility facilities-api knows (raises DependencyError when it cannot say)
FacilitySubdistricts = Callable[[list[int]], Awaitable[dict[int, str]]]


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


async def require_within_subdistrict(
    subdistricts_of: FacilitySubdistricts | None, facility_ids: list[int], principal: Principal, what: str
) -> None:
    """A subdistrict official acts within that subdistrict: every facility of a contract or selection they
    create, change or activate lies in it (facilities-api says where each facility is). District
    officials are not bound; when facilities-api cannot say, nothing is done (503)."""
    if principal.role != "official" or principal.subdistrict is None or not facility_ids:
        return
    if subdistricts_of is None:
        raise ServiceUnavailable(
            "Where the facilities lie could not be checked; nothing was saved.", slug="dependency-unavailable"
        )
    try:
        where = await subdistricts_of(sorted(set(facility_ids)))
    except DependencyError as exc:
        raise ServiceUnavailable(
            f"facilities-api could not say where the facilities lie ({exc.message}); nothing was saved, try again later.",
            slug="dependency-unavailable",
        ) from exc
    outside = sorted(fid for fid in set(facility_ids) if where.get(fid) != principal.subdistrict)
    if outside:
        named = ", ".join(f"{fid} ({where.get(fid) or 'unknown'})" for fid in outside)
        raise Forbidden(
            f"You act for subdistrict {principal.subdistrict}; this {what} names facilities outside it: {named}.",
            slug="facility-outside-subdistrict",
            facility_ids=outside,
        )
