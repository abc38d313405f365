from typing import Annotated, Any

from fastapi import Depends

from service_kit.auth import Principal, require_roles
from service_kit.problems import Forbidden


def key_managers(*roles: str) -> Any:
    """The gate of the key routes: `roles`, where an official must be the district's (keys are the
    whole district's) and operator staff must be bound to an operator. Decided before the body."""

    async def dependency(principal: Annotated[Principal, require_roles(*roles)]) -> Principal:
        if principal.role == "official" and not principal.is_district_official:
            raise Forbidden("API keys are the district's: an official bound to a subdistrict does not manage them.")
        if principal.role == "operator" and principal.operator_id is None:
            raise Forbidden("Operator staff must be bound to an operator to manage its keys.")
        return principal

    return Depends(dependency)
