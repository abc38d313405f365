"""Who may act on a facility and what happens there: officials within their area, and the operator
that currently runs it (社会化运营). Shared by every domain that acts at a facility."""

from __future__ import annotations

from typing import Protocol

from service_kit.auth import Principal
from service_kit.problems import Forbidden

# Facilities of these levels serve the whole district (the district library, its cultural centre...):
# they are the district's to keep, wherever they stand.
DISTRICT_LEVELS = ("national", "municipal", "district")


class _Area(Protocol):
    @property
    def code(self) -> str: ...


class FacilityView(Protocol):
    """What the gates read of a facility (the ORM model is one): its level, area and who runs it."""

    @property
    def id(self) -> int: ...
    @property
    def level(self) -> str: ...
    @property
    def subdistrict(self) -> _Area: ...
    @property
    def operation_mode(self) -> str: ...
    @property
    def operator_id(self) -> int | None: ...


def is_official_for(principal: Principal, subdistrict_code: str) -> bool:
    return principal.role == "official" and principal.subdistrict in (None, subdistrict_code)


def official_covers(principal: Principal, subdistrict_code: str, level: str) -> bool:
    """An official acts on a facility (or one to be) of this subdistrict and level: a district official
    anywhere; a subdistrict official only in their subdistrict, and not on the district's own facilities."""
    if not is_official_for(principal, subdistrict_code):
        return False
    return principal.subdistrict is None or level not in DISTRICT_LEVELS


def is_official_of(principal: Principal, facility: FacilityView) -> bool:
    """An official who acts at this facility. `facility.subdistrict` must be loaded."""
    return official_covers(principal, facility.subdistrict.code, facility.level)


def operates(principal: Principal, facility: FacilityView) -> bool:
    """The caller is staff of the operator that runs this facility now."""
    return (
        principal.role == "operator"
        and principal.operator_id is not None
        and facility.operation_mode == "social"
        and facility.operator_id == principal.operator_id
    )


def may_manage(principal: Principal, facility: FacilityView) -> bool:
    """Officials of the facility's area, or its current operator. `facility.subdistrict` must be loaded."""
    return is_official_of(principal, facility) or operates(principal, facility)


def check_may_manage(principal: Principal, facility: FacilityView, what: str) -> None:
    if may_manage(principal, facility):
        return
    if principal.role == "official":
        if is_official_for(principal, facility.subdistrict.code):
            raise Forbidden(f"Facility {facility.id} is a {facility.level}-level facility: the district's to keep.")
        raise Forbidden(
            f"You act for subdistrict {principal.subdistrict}; facility {facility.id} is in {facility.subdistrict.code}."
        )
    if principal.role == "operator":
        raise Forbidden(f"Your operator does not run facility {facility.id} now, so you cannot {what} there.")
    raise Forbidden(f"Only officials and the facility's operator {what}.")
