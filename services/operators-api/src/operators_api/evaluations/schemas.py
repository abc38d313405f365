from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, Self

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

from operators_api.evaluations.compute import score_of
from operators_api.evaluations.models import Appeal, Evaluation, EvaluationVersion
from operators_api.evaluations.rules import DEFAULT_SCHEME, GRADE_NAMES_ZH
from operators_api.periods import PeriodName
from operators_api.reads import ReadModel
from operators_api.shared import StrictInt, from_centi

Grade = Literal["excellent", "good", "pass", "fail"]
EvaluationStatus = Literal["draft", "published"]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Weights(_Input):
    kpi: StrictInt = Field(ge=0, le=100)
    inspection: StrictInt = Field(ge=0, le=100)
    satisfaction: StrictInt = Field(ge=0, le=100)
    expert: StrictInt = Field(ge=0, le=100)


class Thresholds(_Input):
    excellent: StrictInt = Field(ge=1, le=100)
    good: StrictInt = Field(ge=1, le=100)
    pass_: StrictInt = Field(ge=1, le=100, alias="pass")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class PerGrade(_Input):
    excellent: StrictInt = Field(ge=-100, le=200)
    good: StrictInt = Field(ge=-100, le=200)
    pass_: StrictInt = Field(ge=-100, le=200, alias="pass")
    fail: StrictInt = Field(ge=-100, le=200)

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class SchemeCreate(_Input):
    name: str = Field(min_length=1, max_length=200)
    weights: Weights
    thresholds: Thresholds
    payment_percent: PerGrade = Field(description="Percent of a linked instalment paid at each grade (0–200).")
    credit_points: PerGrade = Field(description="Credit points each grade adds (negative: deducts).")
    renewal_min_grade: Grade = "good"
    consecutive_fails_for_termination: StrictInt = Field(2, ge=1, le=12)
    appeal_window_days: StrictInt = Field(10, ge=1, le=90)
    rectification_days: StrictInt = Field(30, ge=1, le=365)


class SchemeRead(ReadModel):
    id: StrictInt | None = Field(description="None: the built-in default scheme.")
    name: str
    weights: dict[str, int]
    thresholds: dict[str, int]
    payment_percent: dict[str, int]
    credit_points: dict[str, int]
    renewal_min_grade: Grade
    consecutive_fails_for_termination: int
    appeal_window_days: int
    rectification_days: int

    @classmethod
    def default(cls) -> Self:
        """The built-in scheme, used by contracts that name none."""
        return cls.model_validate(DEFAULT_SCHEME)


class EvaluationCreate(_Input):
    contract_id: StrictInt = Field(ge=1, le=2_147_483_647)
    period: PeriodName


class BatchCreate(_Input):
    period: PeriodName


class ExpertScore(_Input):
    score: Decimal = Field(ge=0, le=100, decimal_places=2)
    assessor: str = Field(
        min_length=1, max_length=200, description="The third party or expert who assessed (第三方评估机构/专家)."
    )
    note: str = Field("", max_length=2000)


class Publish(_Input):
    accept_missing: bool = Field(
        False,
        description="Publish although inputs are missing: the parts present are re-weighted to 100 and the reason is recorded.",
    )
    reason: str = Field("", max_length=2000)


class AppealDocument(_Input):
    """A piece of the operator's evidence: where it is, and optionally its SHA-256 so that what was
    read can be shown to be what was filed."""

    title: str = Field(min_length=1, max_length=200)
    url: AnyHttpUrl
    sha256: str | None = Field(None, pattern=r"^[0-9a-f]{64}$")


class AppealCreate(_Input):
    reason: str = Field(min_length=1, max_length=5000)
    documents: list[AppealDocument] = Field(
        default_factory=list, max_length=20, description="The evidence the appeal rests on."
    )


class Correction(_Input):
    """An input of the evaluation found wrong on review, and its corrected value."""

    input: str = Field(
        pattern=r"^(kpi\.[a-z_]{1,60}|inspection\.[1-9][0-9]{0,9}|expert)$",
        description="`kpi.<target>` (the actual figure), `inspection.<inspection id>` (its score) or `expert` (the expert score).",
    )
    value: Decimal = Field(ge=0, le=1_000_000, decimal_places=2)
    reason: str = Field(
        min_length=1, max_length=2000, description="Why the input was wrong (the evidence that shows it)."
    )


class AppealDecision(_Input):
    decision: Literal["upheld", "rejected"]
    reason: str = Field(min_length=1, max_length=2000)
    corrections: list[Correction] = Field(
        default_factory=list,
        max_length=50,
        description="Required when upheld: the corrected inputs. The revised score is the evaluation recomputed with them, never typed in.",
    )


class CorrectionRead(BaseModel):
    input: str
    from_: str | None = Field(alias="from")
    to: str
    reason: str

    model_config = ConfigDict(populate_by_name=True)


class AppealRead(ReadModel):
    id: int
    evaluation_id: int
    reason: str
    documents: list[dict[str, Any]]
    submitted_at: datetime
    status: Literal["submitted", "upheld", "rejected"]
    decision_reason: str | None
    corrections: list[CorrectionRead] = Field(description="The inputs an upheld appeal corrected.")
    revised_score: Decimal | None = Field(description="The evaluation recomputed with the corrections.")
    decided_at: datetime | None

    @classmethod
    def of_appeal(cls, appeal: Appeal) -> Self:
        return cls.of(
            appeal,
            documents=list(appeal.documents or []),
            corrections=list(appeal.corrections or []),
            revised_score=from_centi(appeal.revised_score_centi),
        )


class EvaluationVersionRead(ReadModel):
    number: int = Field(description="1: as published; 2: as revised by an upheld appeal.")
    kind: Literal["published", "appeal_upheld"]
    score: Decimal
    grade: Grade
    components: dict[str, Any]
    consequences: dict[str, Any]
    corrections: list[CorrectionRead]
    reason: str | None
    made_at: datetime

    @classmethod
    def of_version(cls, version: EvaluationVersion) -> Self:
        return cls.of(
            version,
            score=from_centi(version.score_centi),
            consequences=version.consequences or {},
            corrections=list(version.corrections or []),
        )


class EvaluationRead(ReadModel):
    id: int
    contract_id: int
    operator_id: int
    period: str
    period_start_on: date
    period_end_on: date
    status: EvaluationStatus
    scheme: dict[str, Any]
    components: dict[str, Any] = Field(
        description="kpi, inspection, satisfaction, expert: each part's score, completeness and figures."
    )
    missing_inputs: list[dict[str, Any]] = Field(
        description="What could not be had, from where, and why; nothing is made up."
    )
    provisional_score: Decimal | None = Field(description="The score if published now (null while inputs are missing).")
    score_if_missing_accepted: Decimal | None = Field(
        description="The score with the missing parts left out and the rest re-weighted."
    )
    score: Decimal | None
    original_score: Decimal | None = Field(description="The score before an upheld appeal revised it.")
    grade: Grade | None
    grade_zh: str | None
    reweighted: bool
    consequences: dict[str, Any]
    computed_at: datetime
    published_at: datetime | None
    appeal_deadline_on: date | None
    appeal: AppealRead | None
    version: int

    @classmethod
    def with_appeal(cls, e: Evaluation, appeal: Appeal | None) -> Self:
        """The evaluation; while a draft, the score it would get now and with the missing parts left out."""
        weights = e.scheme["weights"]
        draft = e.status == "draft"
        return cls.of(
            e,
            provisional_score=score_of(e.components, weights, accept_missing=False).score if draft else None,
            score_if_missing_accepted=score_of(e.components, weights, accept_missing=True).score if draft else None,
            score=from_centi(e.score_centi),
            original_score=from_centi(e.original_score_centi),
            grade_zh=GRADE_NAMES_ZH.get(e.grade) if e.grade else None,
            consequences=e.consequences or {},
            appeal=AppealRead.of_appeal(appeal) if appeal is not None else None,
        )


class EvidenceRead(ReadModel):
    input: str
    source: str
    request: str
    from_on: date
    to_on: date
    fetched_at: datetime
    ok: bool
    error: str | None
    data: dict[str, Any] | None


class BatchItem(ReadModel):
    contract_id: int
    evaluation_id: int | None
    outcome: Literal["created", "refreshed", "skipped_published"]
    missing_inputs: int
    provisional_score: Decimal | None


class BatchRead(ReadModel):
    period: str
    contracts: int
    created: int
    refreshed: int
    skipped_published: int
    with_missing_inputs: int
    items: list[BatchItem]
