"""Who may do what across domains: district and subdistrict officials, an operator's own staff,
auditors, and other services."""

from __future__ import annotations

from service_kit.auth import Principal
from service_kit.problems import Forbidden, NotFound


def is_staff_of(principal: Principal | None, operator_id: int) -> bool:
    return principal is not None and principal.role == "operator" and principal.operator_id == operator_id


def reads_all(principal: Principal | None) -> bool:
    """Officials (any subdistrict), auditors and other services read every record."""
    return principal is not None and principal.role in ("official", "auditor", "service")


def may_manage(principal: Principal, purchaser_subdistrict: str | None) -> bool:
    """A district official manages everything; a subdistrict official only what their subdistrict buys."""
    if principal.role != "official":
        return False
    return principal.subdistrict is None or principal.subdistrict == purchaser_subdistrict


def require_manage(principal: Principal, purchaser_subdistrict: str | None, what: str) -> None:
    if principal.role != "official":
        raise Forbidden(f"Only officials manage {what}; you are signed in as {principal.role}.")
    if not may_manage(principal, purchaser_subdistrict):
        owner = f"subdistrict {purchaser_subdistrict}" if purchaser_subdistrict else "the district"
        raise Forbidden(f"This {what} belongs to {owner}; you act for subdistrict {principal.subdistrict}.")


def require_district_official(principal: Principal, what: str) -> None:
    if principal.role != "official" or principal.subdistrict is not None:
        raise Forbidden(f"Only a district official may {what}.")


def require_reader(principal: Principal | None, operator_id: int, what: str, record_id: int) -> None:
    """Officials, auditors, services and the operator's own staff read it; to anyone else it does not exist."""
    if reads_all(principal) or is_staff_of(principal, operator_id):
        return
    raise NotFound(f"No {what} {record_id}.")


def acting_operator(principal: Principal, what: str) -> int:
    """The operator an operator's staff member acts for."""
    if principal.role != "operator" or principal.operator_id is None:
        raise Forbidden(f"Only an operator's own staff {what}; you are signed in as {principal.role}.")
    return principal.operator_id
