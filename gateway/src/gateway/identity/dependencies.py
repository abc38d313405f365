from typing import Annotated

from fastapi import Depends, Request

from gateway.identity.revocation import AccessRevocations
from service_kit.auth import Principal, require_roles


async def get_revocations(request: Request) -> AccessRevocations | None:
    return getattr(request.app.state, "revocations", None)


# The whole district's (accounts, integration keys): an official not bound to a subdistrict.
DistrictOfficial = Annotated[Principal, require_roles("official", district=True)]
RevocationsDep = Annotated[AccessRevocations | None, Depends(get_revocations)]
