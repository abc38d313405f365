from typing import Annotated

from fastapi import Depends, Request

from gateway.identity.revocation import AccessRevocations
from service_kit.auth import Principal, require_roles
from service_kit.problems import Forbidden


async def district_official(principal: Annotated[Principal, require_roles("official")]) -> Principal:
    """The gate of what is the whole district's (accounts, integration keys): an official not bound to
    a subdistrict. Decided before the body is read, like every gate."""
    if not principal.is_district_official:
        raise Forbidden("This is the district's to do: an official bound to a subdistrict cannot.")
    return principal


async def get_revocations(request: Request) -> AccessRevocations | None:
    return getattr(request.app.state, "revocations", None)


DistrictOfficial = Annotated[Principal, Depends(district_official)]
RevocationsDep = Annotated[AccessRevocations | None, Depends(get_revocations)]
