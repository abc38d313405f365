from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from operators_api.contracts.domain import ContractView
from operators_api.contracts.models import Instalment
from operators_api.periods import BoundedDate, PeriodName
from operators_api.selections.schemas import SUBDISTRICT_PATTERN, Method
from operators_api.shared import FacilityId, Fen, OperatorId, PositiveFen, StrictInt, fields_of

ContractStatus = Literal["draft", "active", "suspended", "terminated", "expired", "cancelled"]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class KpiTargets(_Input):
    """绩效指标: targets per facility of the contract; leave one out when it does not apply."""

    open_hours_per_week: StrictInt | None = Field(None, ge=1, le=168, description="Hours open per week per facility.")
    activities_per_month: StrictInt | None = Field(
        None, ge=1, le=10_000, description="Activities held per month per facility."
    )
    participants_per_month: StrictInt | None = Field(
        None, ge=1, le=10_000_000, description="Attendance per month per facility."
    )
    special_group_services_per_month: StrictInt | None = Field(
        None,
        ge=1,
        le=1_000_000,
        description="Services for the elderly, minors, disabled and low-income residents per month per facility.",
    )
    complaint_on_time_percent: StrictInt | None = Field(
        None, ge=1, le=100, description="Complaints answered within the deadline, percent."
    )
    min_satisfaction_score: StrictInt | None = Field(
        None, ge=1, le=100, description="Resident satisfaction score (0–100) at least."
    )


class InstalmentIn(_Input):
    due_on: BoundedDate
    amount_fen: PositiveFen
    linked_period: PeriodName | None = Field(
        None,
        description="The evaluation period whose grade adjusts this instalment (e.g. 2026-Q2); none: a fixed payment.",
    )


class ContractCreate(_Input):
    reference: str | None = Field(None, min_length=3, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9-]*$")
    title: str = Field(min_length=1, max_length=200)
    selection_id: StrictInt | None = Field(
        None, ge=1, le=2_147_483_647, description="The awarded selection; the operator and method come from its award."
    )
    operator_id: OperatorId | None = Field(
        None, description="Required without a selection (single-source); must match the award otherwise."
    )
    facility_ids: list[FacilityId] | None = Field(
        None, min_length=1, max_length=200, description="Default: the selection's facilities."
    )
    procurement_method: Method | None = Field(None, description="Without a selection only single_source is allowed.")
    justification: str = Field(
        "", max_length=5000, description="Why single source (单一来源理由): required without a selection."
    )
    purchaser_subdistrict: str | None = Field(None, pattern=SUBDISTRICT_PATTERN)
    starts_on: BoundedDate
    ends_on: BoundedDate
    amount_fen: PositiveFen
    instalments: list[InstalmentIn] = Field(min_length=1, max_length=60)
    service_standards: list[str] = Field(default_factory=list, max_length=50)
    kpi_targets: KpiTargets = Field(default_factory=KpiTargets)
    evaluation_scheme_id: StrictInt | None = Field(
        None, ge=1, le=2_147_483_647, description="None: the default scheme."
    )


class ContractUpdate(_Input):
    """Merge patch of a draft contract; lists are replaced whole."""

    # Absent means unchanged and null is refused, so each type stays non-null with a default of None
    # that is never read (exclude_unset): hence the type ignores.
    title: str = Field(None, min_length=1, max_length=200)  # type: ignore[assignment]
    facility_ids: list[FacilityId] = Field(None, min_length=1, max_length=200)  # type: ignore[arg-type]
    starts_on: BoundedDate = Field(None)  # type: ignore[assignment]
    ends_on: BoundedDate = Field(None)  # type: ignore[assignment]
    amount_fen: PositiveFen = Field(None)  # type: ignore[assignment]
    instalments: list[InstalmentIn] = Field(None, min_length=1, max_length=60)  # type: ignore[arg-type]
    service_standards: list[str] = Field(None, max_length=50)  # type: ignore[arg-type]
    kpi_targets: KpiTargets = Field(None)  # type: ignore[assignment]
    evaluation_scheme_id: StrictInt = Field(None, ge=1, le=2_147_483_647)  # type: ignore[assignment]


class ContractStatusChange(_Input):
    status: Literal["active", "suspended", "terminated", "expired", "cancelled"]
    reason: str = Field(min_length=1, max_length=2000)


class RenewalCreate(_Input):
    starts_on: BoundedDate | None = Field(None, description="Default: the day after the contract ends.")
    ends_on: BoundedDate
    amount_fen: PositiveFen
    instalments: list[InstalmentIn] = Field(min_length=1, max_length=60)
    reason: str = Field(min_length=1, max_length=2000)


class PaymentCreate(_Input):
    paid_on: BoundedDate
    amount_fen: Fen | None = Field(None, description="Default: the instalment's (adjusted) amount.")
    payment_reference: str = Field("", max_length=100)


class InstalmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    due_on: date
    amount_fen: int
    linked_period: str | None
    evaluation_id: int | None
    adjustment_percent: int | None
    adjusted_amount_fen: StrictInt | None = Field(
        description="After the linked evaluation's grade; null until it is published."
    )
    payable_fen: StrictInt = Field(description="What is due: the adjusted amount when there is one, else the amount.")
    paid_on: date | None
    paid_amount_fen: int | None

    @classmethod
    def of(cls, instalment: Instalment) -> InstalmentRead:
        payable = instalment.adjusted_amount_fen
        return cls.model_validate(
            fields_of(instalment, cls) | {"payable_fen": instalment.amount_fen if payable is None else payable}
        )


class TerminationProposalRead(BaseModel):
    proposed_at: datetime
    reason: str


class ContractRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    reference: str
    title: str
    selection_id: int | None
    bid_id: int | None
    operator_id: int
    operator_name: str
    purchaser_subdistrict: str | None
    procurement_method: Method
    justification: str
    facility_ids: list[int]
    starts_on: date
    ends_on: date
    amount_fen: int
    instalments: list[InstalmentRead]
    service_standards: list[str]
    kpi_targets: KpiTargets
    evaluation_scheme_id: int | None
    status: ContractStatus
    status_reason: str | None
    activated_at: datetime | None
    handed_over_at: datetime | None = Field(
        description="When the facilities were handed over (contract.started): on the start date, not before; null until then."
    )
    ended_on: date | None
    renewed_from_id: int | None
    termination_proposal: TerminationProposalRead | None
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: ContractView) -> ContractRead:
        c = view.contract
        proposal = (
            {"proposed_at": c.termination_proposed_at, "reason": c.termination_proposal or ""}
            if c.termination_proposed_at
            else None
        )
        return cls.model_validate(
            fields_of(c, cls)
            | {
                "operator_name": view.operator_name,
                "facility_ids": view.facility_ids,
                "instalments": [InstalmentRead.of(i) for i in view.instalments],
                "termination_proposal": proposal,
            }
        )


class RenewalEligibility(BaseModel):
    contract_id: int
    eligible: bool
    reason: str


class ExpirySweep(BaseModel):
    expired_contract_ids: list[int]
    started_contract_ids: list[int] = Field(
        description="Contracts whose facilities were handed over (start date reached)."
    )
