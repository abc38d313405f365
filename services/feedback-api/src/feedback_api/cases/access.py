"""Who may see a case and who answers it: the rules the service enforces and the schemas mask by."""

from __future__ import annotations

from datetime import datetime

from feedback_api.cases.categories import CATEGORIES
from feedback_api.cases.models import ResidentCase
from feedback_api.cases.repository import AWAITING_ANSWER
from service_kit.auth import Principal


def is_author(c: ResidentCase, viewer: Principal | None) -> bool:
    return (
        viewer is not None
        and viewer.role == "resident"
        and c.resident_sub is not None
        and viewer.sub == c.resident_sub
    )


def official_in_area(c: ResidentCase, viewer: Principal) -> bool:
    return viewer.is_official and (
        viewer.subdistrict is None or viewer.subdistrict == c.subdistrict
    )


def is_assigned_operator(c: ResidentCase, viewer: Principal) -> bool:
    return (
        viewer.role == "operator"
        and viewer.operator_id is not None
        and c.assignee_operator_id == viewer.operator_id
    )


def about_operator(c: ResidentCase) -> bool:
    """A complaint about the operator's own charges or staff: the bureau's, never the accused operator's."""
    return CATEGORIES[c.category].about_operator


def can_see(c: ResidentCase, viewer: Principal) -> bool:
    if is_author(c, viewer) or viewer.role in ("auditor", "service"):
        return True
    if viewer.is_official:
        return official_in_area(c, viewer)
    if viewer.role == "operator" and viewer.operator_id is not None:
        # Its own cases, and those about a facility it ran, but not the complaints about itself.
        return viewer.operator_id == c.assignee_operator_id or (
            viewer.operator_id == c.operator_id and not about_operator(c)
        )
    return False


def is_handler(c: ResidentCase, viewer: Principal) -> bool:
    """Who answers the case now: the assigned operator, an official of the area, or (escalated from the
    subdistrict) an official of the district."""
    if c.assignee_type == "district":
        return viewer.is_district_official
    if viewer.is_official:
        return official_in_area(c, viewer)
    return c.assignee_type == "operator" and is_assigned_operator(c, viewer)


def is_overdue(c: ResidentCase, now: datetime) -> bool:
    return c.status in AWAITING_ANSWER and c.due_at is not None and c.due_at < now
