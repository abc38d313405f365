"""The fee rule (DOMAIN.md, "Basic services stay free" and "Preferential fees have a standard"):
a basic service never charges; a non-basic one charges only up to an approval in force."""

from __future__ import annotations

from datetime import date

from facilities_api.offerings.models import FeeApproval
from service_kit.problems import RuleViolation


def approval_in_force(approval: FeeApproval | None, on: date) -> bool:
    return approval is not None and approval.status == "active" and approval.expires_on >= on


def check_fee(
    *, field: str, fee_fen: int, basic: bool | None, approval: FeeApproval | None, on: date, what: str = "service"
) -> None:
    """Raise the rule a fee breaks. `basic` None: no service offered backs the fee at all."""
    if fee_fen == 0:
        return
    if basic is None:
        raise RuleViolation(
            field,
            f"A fee needs a non-basic service with an approved preferential fee; this {what} names none (service_id).",
            code="fee-not-approved",
        )
    if basic:
        raise RuleViolation(
            field,
            "A basic public cultural service (基本公共文化服务) is always free, whoever runs the facility.",
            code="basic-service-free",
        )
    if not approval_in_force(approval, on):
        raise RuleViolation(
            field,
            f"No approved preferential-fee application is in force for this service on {on}: no approval, no fee.",
            code="fee-not-approved",
        )
    assert approval is not None
    if fee_fen > approval.approved_fee_fen:
        raise RuleViolation(
            field,
            f"The fee {fee_fen} fen is above the approved {approval.approved_fee_fen} fen (application {approval.application_id}).",
            code="fee-above-approved",
        )
