"""Use cases of performance evaluations (绩效考核): gather a contract's inputs for a period (its own
reports and inspections; facilities-api and feedback-api figures fetched concurrently and bounded),
store them as evidence, compute the parts, publish the score and grade and apply the consequences
(linked instalment, renewal eligibility, rectification for a fail, termination proposed after
consecutive fails, a credit entry); appeals, once, within the window."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from operators_api import access
from operators_api.audit import service as audit
from operators_api.clients.base import Fetched
from operators_api.clients.inputs import InputsProvider
from operators_api.contracts.models import Contract
from operators_api.contracts.repository import ContractRepository
from operators_api.contracts.signals import answer_evaluation_questions
from operators_api.credit.service import add_entry
from operators_api.evaluations.compute import ContractFacts, CorrectionError, compute, recompute, score_of
from operators_api.evaluations.models import Appeal, Evaluation, EvaluationEvidence, EvaluationScheme, EvaluationVersion
from operators_api.evaluations.repository import EvaluationFilter, EvaluationRepository, SchemeRepository
from operators_api.evaluations.rules import (
    DEFAULT_SCHEME,
    GRADE_NAMES_ZH,
    GRADE_RANK,
    grade_of,
    thresholds_problem,
    weights_problem,
)
from operators_api.evaluations.schemas import AppealCreate, AppealDecision, ExpertScore, Publish, SchemeCreate
from operators_api.events import outbox
from operators_api.inspections.repository import InspectionRepository, RectificationRepository
from operators_api.inspections.service import order_rectification, withdraw_rectification
from operators_api.periods import Period, months_between, parse_period
from operators_api.reads import Listing, oldest_first
from operators_api.reports.models import ServiceReport
from operators_api.reports.repository import ReportRepository
from operators_api.reports.service import before_amendment
from operators_api.shared import (
    end_read_transaction,
    from_centi,
    jsonable,
    percent_of,
    state_conflict,
    to_centi,
)
from service_kit.auth import Principal
from service_kit.clock import Clock
from service_kit.etag import IfMatch
from service_kit.pagination import decode_id_cursor
from service_kit.problems import Conflict, Forbidden, NotFound, RuleViolation

ENTITY = "evaluation"


# -- schemes ----------------------------------------------------------------------------------------
def scheme_snapshot(s: EvaluationScheme | None) -> dict[str, Any]:
    """The scheme as an evaluation keeps it (JSON), so a later change of the scheme leaves it as computed."""
    if s is None:
        return dict(DEFAULT_SCHEME)
    return {
        "id": s.id,
        "name": s.name,
        "weights": s.weights,
        "thresholds": s.thresholds,
        "payment_percent": s.payment_percent,
        "credit_points": s.credit_points,
        "renewal_min_grade": s.renewal_min_grade,
        "consecutive_fails_for_termination": s.consecutive_fails_for_termination,
        "appeal_window_days": s.appeal_window_days,
        "rectification_days": s.rectification_days,
    }


async def list_schemes(session: AsyncSession) -> Sequence[EvaluationScheme]:
    """The schemes added by officials (the built-in default is not among them)."""
    return await SchemeRepository(session).search()


async def get_scheme(session: AsyncSession, scheme_id: int) -> EvaluationScheme:
    return await SchemeRepository(session).get_or_404(scheme_id)


async def create_scheme(
    session: AsyncSession, *, principal: Principal, clock: Clock, data: SchemeCreate
) -> EvaluationScheme:
    access.require_district_official(principal, "set evaluation schemes")
    weights = data.weights.model_dump()
    thresholds = data.thresholds.model_dump(by_alias=True)
    if (problem := weights_problem(weights)) is not None:
        raise RuleViolation("weights", problem, code="weights-sum")
    if (problem := thresholds_problem(thresholds)) is not None:
        raise RuleViolation("thresholds", problem, code="thresholds-order")
    now = clock.now()
    s = EvaluationScheme(
        name=data.name,
        weights=weights,
        thresholds=thresholds,
        payment_percent=data.payment_percent.model_dump(by_alias=True),
        credit_points=data.credit_points.model_dump(by_alias=True),
        renewal_min_grade=data.renewal_min_grade,
        consecutive_fails_for_termination=data.consecutive_fails_for_termination,
        appeal_window_days=data.appeal_window_days,
        rectification_days=data.rectification_days,
        created_by=principal.sub,
        created_at=now,
    )
    schemes = SchemeRepository(session)
    schemes.add(s)
    await schemes.flush()
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type="evaluation_scheme",
        entity_id=s.id,
        action="created",
        details=scheme_snapshot(s),
    )
    await session.commit()
    return s


# -- reading ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class EvaluationWithAppeal:
    evaluation: Evaluation
    appeal: Appeal | None = None


async def versions(session: AsyncSession, *, viewer: Principal, evaluation_id: int) -> Sequence[EvaluationVersion]:
    """Every version of a published evaluation, oldest first: as published, then as an upheld appeal revised it."""
    e = await get_visible(session, viewer=viewer, evaluation_id=evaluation_id)
    return await EvaluationRepository(session).versions(e.id)


def _keep_version(
    repo: EvaluationRepository,
    e: Evaluation,
    *,
    number: int,
    kind: str,
    principal: Principal,
    at: datetime,
    corrections: list[dict[str, Any]] | None = None,
    reason: str | None = None,
) -> None:
    assert e.score_centi is not None and e.grade is not None
    repo.add_part(
        EvaluationVersion(
            evaluation_id=e.id,
            number=number,
            kind=kind,
            components=e.components,
            score_centi=e.score_centi,
            grade=e.grade,
            consequences=e.consequences or {},
            corrections=corrections or [],
            reason=reason,
            made_by=principal.sub,
            made_at=at,
        )
    )


def _may_read(viewer: Principal, e: Evaluation) -> bool:
    return access.reads_all(viewer) or (access.is_staff_of(viewer, e.operator_id) and e.status == "published")


async def get_visible(
    session: AsyncSession, *, viewer: Principal, evaluation_id: int, for_update: bool = False
) -> Evaluation:
    e = await EvaluationRepository(session).get(evaluation_id, for_update=for_update)
    if e is None or not _may_read(viewer, e):
        raise NotFound(f"No evaluation {evaluation_id}.")
    return e


async def get_evaluation(session: AsyncSession, *, viewer: Principal, evaluation_id: int) -> EvaluationWithAppeal:
    e = await get_visible(session, viewer=viewer, evaluation_id=evaluation_id)
    return EvaluationWithAppeal(e, await EvaluationRepository(session).appeal_of(e.id))


async def evidence(session: AsyncSession, *, viewer: Principal, evaluation_id: int) -> Sequence[EvaluationEvidence]:
    e = await get_visible(session, viewer=viewer, evaluation_id=evaluation_id)
    return await EvaluationRepository(session).evidence(e.id)


async def list_evaluations(
    session: AsyncSession, *, viewer: Principal, filters: EvaluationFilter, cursor: str | None, limit: int
) -> Listing[EvaluationWithAppeal]:
    if not access.reads_all(viewer):
        if viewer.role != "operator" or viewer.operator_id is None:
            raise Forbidden("Evaluations are shown to officials, auditors and the operator evaluated.")
        filters = EvaluationFilter(
            contract_id=filters.contract_id,
            operator_id=viewer.operator_id,
            period=filters.period,
            status="published",
            grade=filters.grade,
        )
    repo = EvaluationRepository(session)
    found = oldest_first(await repo.search(filters, after_id=decode_id_cursor(cursor), limit=limit + 1), limit)
    appeals = await repo.appeals_of([e.id for e in found.items])
    return Listing([EvaluationWithAppeal(e, appeals.get(e.id)) for e in found.items], found.next_cursor)


@dataclass(frozen=True, slots=True)
class BatchEntry:
    contract_id: int
    evaluation_id: int | None
    outcome: str
    missing_inputs: int
    provisional_score: Decimal | None


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """What a batch run did for each running contract of the period."""

    period: str
    contracts: int
    created: int
    refreshed: int
    items: list[BatchEntry]

    @property
    def skipped_published(self) -> int:
        return sum(i.outcome == "skipped_published" for i in self.items)

    @property
    def with_missing_inputs(self) -> int:
        return sum(1 for i in self.items if i.missing_inputs)


@before_amendment
async def refuse_evaluated_report(session: AsyncSession, report: ServiceReport) -> None:
    """A month a published evaluation used is final: its report can no longer change."""
    period = parse_period(report.month)
    for e in await EvaluationRepository(session).published_of_contract(report.contract_id):
        if e.period_start_on <= period.end and e.period_end_on >= period.start:
            raise state_conflict(
                f"Evaluation {e.id} ({e.period}) already used this report; it can no longer change.", "report-evaluated"
            )


class _ContractsQuestions:
    """The answers to what contracts asks of evaluations (`contracts.signals.EvaluationQuestions`)."""

    async def scheme_exists(self, session: AsyncSession, scheme_id: int) -> bool:
        return await SchemeRepository(session).get(scheme_id) is not None

    async def renewal_standing(self, session: AsyncSession, contract_id: int) -> tuple[bool, str]:
        """Renewal needs a published evaluation, the latest at the scheme's minimum grade or better, and
        no failed one."""
        evaluations = await EvaluationRepository(session).published_of_contract(contract_id)
        if not evaluations:
            return False, "the contract has no published evaluation yet"
        latest = evaluations[-1]
        minimum = latest.scheme.get("renewal_min_grade", "good")
        if GRADE_RANK[latest.grade or "fail"] < GRADE_RANK[minimum]:
            return (
                False,
                f"the latest evaluation ({latest.period}) is {latest.grade}; renewal needs {minimum} or better",
            )
        if any(e.grade == "fail" for e in evaluations):
            return False, "an evaluation of this contract failed"
        return True, f"the latest evaluation ({latest.period}) is {latest.grade}"

    async def grade_deciders(self, session: AsyncSession, evaluation_id: int) -> set[str]:
        return await EvaluationRepository(session).grade_deciders(evaluation_id)


answer_evaluation_questions(_ContractsQuestions())


# -- gathering inputs -------------------------------------------------------------------------------
@dataclass(slots=True)
class _Job:
    contract: Contract
    facts: ContractFacts
    existing: Evaluation | None
    scheme: dict[str, Any]


def _check_period(contract: Contract, period_name: str, today: date) -> Period:
    period = parse_period(period_name)
    if period.end >= today:
        raise RuleViolation(
            "period",
            f"{period_name} is not over yet (it ends {period.end}); a period is evaluated once it has ended.",
            code="period-not-over",
        )
    clipped = period.clip(contract.starts_on, contract.ended_on or contract.ends_on)
    if clipped is None:
        raise RuleViolation(
            "period", f"Contract {contract.id} did not run during {period_name}.", code="period-outside-contract"
        )
    return clipped


async def _schemes(session: AsyncSession, contracts: list[Contract]) -> dict[int | None, dict[str, Any]]:
    repo = SchemeRepository(session)
    out: dict[int | None, dict[str, Any]] = {None: dict(DEFAULT_SCHEME)}
    for sid in {c.evaluation_scheme_id for c in contracts if c.evaluation_scheme_id is not None}:
        out[sid] = scheme_snapshot(await repo.get(sid))
    return out


async def _jobs(
    session: AsyncSession, contracts: list[Contract], periods: dict[int, Period], period_name: str
) -> list[_Job]:
    """Everything the database holds for these contracts, in a handful of queries."""
    ids = [c.id for c in contracts]
    facilities = await ContractRepository(session).facilities_of(ids)
    all_months = sorted({m for p in periods.values() for m in months_between(p.start, p.end)})
    reports = await ReportRepository(session).of_contracts_months(ids, all_months)
    start = min((p.start for p in periods.values()), default=None)
    end = max((p.end for p in periods.values()), default=None)
    inspections = await InspectionRepository(session).of_contracts_between(ids, start, end) if start and end else {}
    existing = await EvaluationRepository(session).of_contracts_period(ids, period_name)
    schemes = await _schemes(session, contracts)
    jobs = []
    for c in contracts:
        p = periods[c.id]
        e = existing.get(c.id)
        jobs.append(
            _Job(
                contract=c,
                facts=ContractFacts(
                    contract_id=c.id,
                    operator_id=c.operator_id,
                    kpi_targets=dict(c.kpi_targets or {}),
                    facility_ids=facilities.get(c.id, []),
                    period=p,
                    reports={r.month: {"id": r.id, "lines": r.lines} for r in reports.get(c.id, [])},
                    inspections=[
                        {
                            "id": i.id,
                            "inspected_on": i.inspected_on.isoformat(),
                            "facility_id": i.facility_id,
                            "score_centi": i.score_centi,
                        }
                        for i in inspections.get(c.id, [])
                        if p.start <= i.inspected_on <= p.end
                    ],
                    expert_score_centi=e.expert_score_centi if e else None,
                    expert_assessor=e.expert_assessor if e else None,
                ),
                existing=e,
                scheme=e.scheme if e is not None else schemes[c.evaluation_scheme_id],
            )
        )
    return jobs


Inputs = tuple[dict[int, Fetched], dict[int, Fetched], dict[int, Fetched]]


async def _fetch(job: _Job, inputs: InputsProvider) -> Inputs:
    p = job.facts.period
    fids = job.facts.facility_ids
    stats, sats, hours = await asyncio.gather(
        asyncio.gather(*(inputs.facility_stats(fid, p.start, p.end) for fid in fids)),
        asyncio.gather(*(inputs.facility_satisfaction(fid, p.start, p.end) for fid in fids)),
        asyncio.gather(*(inputs.facility_open_hours(fid, p.start, p.end) for fid in fids)),
    )
    return dict(zip(fids, stats, strict=True)), dict(zip(fids, sats, strict=True)), dict(zip(fids, hours, strict=True))


def _prepare(
    repo: EvaluationRepository, job: _Job, fetched: Inputs, *, principal: Principal, now: datetime
) -> tuple[Evaluation, str, Any]:
    """Compute and fill in the evaluation (a new one is added to the session, not yet flushed)."""
    result = compute(job.facts, fetched[0], fetched[1], now=now, open_hours=fetched[2])
    e = job.existing
    outcome = "refreshed"
    if e is None:
        outcome = "created"
        e = Evaluation(
            contract_id=job.contract.id,
            operator_id=job.contract.operator_id,
            period=job.facts.period.name,
            period_start_on=job.facts.period.start,
            period_end_on=job.facts.period.end,
            scheme=job.scheme,
            status="draft",
            version=1,
            created_by=principal.sub,
            created_at=now,
            consequences={},
            reweighted=False,
        )
        repo.add(e)
    else:
        e.version += 1
    e.components = result.components
    e.missing_inputs = result.missing
    e.computed_at = now
    e.updated_at = now
    return e, outcome, result


async def _write_all(
    session: AsyncSession, jobs: list[_Job], fetched: list[Inputs], *, principal: Principal, clock: Clock
) -> list[tuple[Evaluation, str]]:
    """Store the evaluations, their evidence and audit entries in a few statements (one flush for the
    evaluations, one delete of a refreshed draft's old evidence, one flush for the rest)."""
    now = clock.now()
    repo = EvaluationRepository(session)
    prepared = [_prepare(repo, job, f, principal=principal, now=now) for job, f in zip(jobs, fetched, strict=True)]
    await repo.flush()
    await repo.clear_evidence_of([e.id for e, outcome, _ in prepared if outcome == "refreshed"])
    await repo.insert_evidence(
        [
            {**x, "evaluation_id": e.id, "data": jsonable(x["data"]) if x["data"] is not None else None}
            for e, _, result in prepared
            for x in result.evidence
        ]
    )
    await audit.record_many(
        session,
        [
            audit.entry(
                principal,
                at=now,
                entity_type=ENTITY,
                entity_id=e.id,
                action="computed" if outcome == "created" else "recomputed",
                to_state="draft",
                details={
                    "contract_id": e.contract_id,
                    "period": e.period,
                    "missing_inputs": [m["input"] for m in result.missing],
                },
            )
            for e, outcome, result in prepared
        ],
    )
    return [(e, outcome) for e, outcome, _ in prepared]


async def _contract_for_evaluation(session: AsyncSession, principal: Principal, contract_id: int) -> Contract:
    c = await ContractRepository(session).get(contract_id)
    if c is None:
        raise RuleViolation("contract_id", f"No contract {contract_id}.", code="unknown-contract")
    access.require_manage(principal, c.purchaser_subdistrict, "contract")
    if c.status in ("draft", "cancelled"):
        raise state_conflict(
            f"Contract {c.id} is {c.status}; it has nothing to evaluate.", "contract-not-running", "contract_id"
        )
    return c


async def create_evaluation(
    session: AsyncSession,
    *,
    principal: Principal,
    clock: Clock,
    contract_id: int,
    period_name: str,
    inputs: InputsProvider,
) -> EvaluationWithAppeal:
    c = await _contract_for_evaluation(session, principal, contract_id)
    period = _check_period(c, period_name, clock.local_now().date())
    existing = await EvaluationRepository(session).of_contract_period(c.id, period_name)
    if existing is not None:
        raise state_conflict(
            f"Evaluation {existing.id} of contract {c.id} for {period_name} exists ({existing.status}); refresh it instead.",
            "evaluation-exists",
            existing={"id": existing.id},
        )
    [job] = await _jobs(session, [c], {c.id: period}, period_name)
    await end_read_transaction(session)
    fetched = await _fetch(job, inputs)
    if await EvaluationRepository(session).of_contract_period(c.id, period_name) is not None:
        raise state_conflict(
            f"An evaluation of contract {c.id} for {period_name} was made at the same moment.", "evaluation-exists"
        )
    [(e, _)] = await _write_all(session, [job], [fetched], principal=principal, clock=clock)
    await session.commit()
    return EvaluationWithAppeal(e)


async def refresh(
    session: AsyncSession, *, principal: Principal, clock: Clock, evaluation_id: int, inputs: InputsProvider
) -> EvaluationWithAppeal:
    e = await get_visible(session, viewer=principal, evaluation_id=evaluation_id)
    c = await _contract_for_evaluation(session, principal, e.contract_id)
    if e.status != "draft":
        raise state_conflict(f"Evaluation {e.id} is published; its inputs are final.", "evaluation-published")
    [job] = await _jobs(session, [c], {c.id: Period(e.period, e.period_start_on, e.period_end_on)}, e.period)
    version = e.version
    await end_read_transaction(session)
    fetched = await _fetch(job, inputs)
    locked = await EvaluationRepository(session).get_for_update(e.id)
    if locked is None or locked.status != "draft" or locked.version != version:
        raise state_conflict(
            f"Evaluation {e.id} changed while its inputs were fetched; refresh again.", "evaluation-changed"
        )
    job.existing = locked
    [(e, _)] = await _write_all(session, [job], [fetched], principal=principal, clock=clock)
    await session.commit()
    return EvaluationWithAppeal(e)


async def evaluate_batch(
    session: AsyncSession, *, principal: Principal, clock: Clock, period_name: str, inputs: InputsProvider
) -> BatchOutcome:
    """Every running contract of the period (that this official manages), inputs fetched concurrently."""
    if principal.role != "official":
        raise Forbidden("Only officials evaluate contracts.")
    today = clock.local_now().date()
    period = parse_period(period_name)
    if period.end >= today:
        raise RuleViolation("period", f"{period_name} is not over yet (it ends {period.end}).", code="period-not-over")
    contracts = [
        c
        for c in await ContractRepository(session).running(period.start, period.end)
        if access.may_manage(principal, c.purchaser_subdistrict)
    ]
    clipped = {c.id: period.clip(c.starts_on, c.ended_on or c.ends_on) for c in contracts}
    contracts = [c for c in contracts if clipped[c.id] is not None]
    jobs = await _jobs(session, contracts, {cid: p for cid, p in clipped.items() if p is not None}, period_name)
    skipped = [j for j in jobs if j.existing is not None and j.existing.status == "published"]
    todo = [j for j in jobs if j not in skipped]
    await end_read_transaction(session)
    fetched = await asyncio.gather(*(_fetch(j, inputs) for j in todo))
    items = [
        BatchEntry(j.contract.id, j.existing.id if j.existing else None, "skipped_published", 0, None) for j in skipped
    ]
    counts = {"created": 0, "refreshed": 0}
    # Published while the inputs were fetched? Then it is left alone; otherwise the current draft is refreshed.
    current = await EvaluationRepository(session).of_contracts_period([j.contract.id for j in todo], period_name)
    writes = []
    for job, f in zip(todo, fetched, strict=True):
        now_e = current.get(job.contract.id)
        if now_e is not None and now_e.status == "published":
            items.append(BatchEntry(job.contract.id, now_e.id, "skipped_published", 0, None))
            continue
        job.existing = now_e
        writes.append((job, f))
    for e, outcome in await _write_all(
        session, [j for j, _ in writes], [f for _, f in writes], principal=principal, clock=clock
    ):
        counts[outcome] += 1
        provisional = score_of(e.components, e.scheme["weights"], accept_missing=False).score
        items.append(BatchEntry(e.contract_id, e.id, outcome, len(e.missing_inputs), provisional))
    await session.commit()
    items.sort(key=lambda i: i.contract_id)
    return BatchOutcome(
        period=period_name,
        contracts=len(jobs),
        created=counts["created"],
        refreshed=counts["refreshed"],
        items=items,
    )


async def set_expert_score(
    session: AsyncSession,
    *,
    principal: Principal,
    clock: Clock,
    evaluation_id: int,
    data: ExpertScore,
    if_match: IfMatch,
) -> EvaluationWithAppeal:
    e = await get_visible(session, viewer=principal, evaluation_id=evaluation_id, for_update=True)
    c = await _contract_for_evaluation(session, principal, e.contract_id)
    if_match.check(e.version)
    if e.status != "draft":
        raise state_conflict(f"Evaluation {e.id} is published; its inputs are final.", "evaluation-published")
    now = clock.now()
    e.expert_score_centi = to_centi(data.score)
    e.expert_assessor = data.assessor
    e.expert_note = data.note
    components = dict(e.components)
    components["expert"] = {
        "score": str(from_centi(e.expert_score_centi)),
        "complete": True,
        "assessor": data.assessor,
        "note": data.note,
    }
    e.components = components
    e.missing_inputs = [m for m in e.missing_inputs if m["input"] != "expert"]
    e.version += 1
    e.updated_at = now
    EvaluationRepository(session).add_part(
        EvaluationEvidence(
            evaluation_id=e.id,
            input="expert_score",
            source="official",
            request=f"entered by {principal.sub}",
            from_on=e.period_start_on,
            to_on=e.period_end_on,
            fetched_at=now,
            ok=True,
            error=None,
            data={"score": str(data.score), "assessor": data.assessor, "note": data.note},
        )
    )
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type=ENTITY,
        entity_id=e.id,
        action="expert_score_set",
        details={"score": str(data.score), "assessor": data.assessor, "contract_id": c.id},
    )
    await session.commit()
    return EvaluationWithAppeal(e)


# -- publishing and consequences --------------------------------------------------------------------
async def _apply_consequences(
    session: AsyncSession, e: Evaluation, c: Contract, *, principal: Principal, clock: Clock, previous_grade: str | None
) -> dict[str, Any]:
    """What the grade leads to; with `previous_grade` (an upheld appeal) the earlier consequences are revised."""
    now = clock.now()
    today = clock.local_now().date()
    scheme = e.scheme
    grade = e.grade or "fail"
    score = from_centi(e.score_centi)
    before = dict(e.consequences or {})
    out: dict[str, Any] = {}

    # 1. the linked instalment
    contracts = ContractRepository(session)
    inst = await contracts.linked_instalment(c.id, e.period)
    if inst is None:
        out["instalment"] = None
    elif inst.paid_on is not None:
        out["instalment"] = {
            "seq": inst.seq,
            "note": f"already paid on {inst.paid_on}: not adjusted",
            "amount_fen": inst.amount_fen,
        }
    else:
        pct = int(scheme["payment_percent"][grade])
        inst.evaluation_id, inst.adjustment_percent, inst.adjusted_amount_fen = (
            e.id,
            pct,
            percent_of(inst.amount_fen, pct),
        )
        out["instalment"] = {
            "seq": inst.seq,
            "amount_fen": inst.amount_fen,
            "percent": pct,
            "adjusted_amount_fen": inst.adjusted_amount_fen,
        }
        await outbox.record(
            session,
            "contract.instalment_adjusted",
            {
                "contract_id": c.id,
                "seq": inst.seq,
                "evaluation_id": e.id,
                "grade": grade,
                "percent": pct,
                "amount_fen": inst.amount_fen,
                "adjusted_amount_fen": inst.adjusted_amount_fen,
            },
            subject=f"contract/{c.id}",
            actor=principal.sub,
            at=now,
        )

    # 2. renewal eligibility
    published = list(await EvaluationRepository(session).published_of_contract(c.id))
    if e not in published:
        published.append(e)
    published.sort(key=lambda x: (x.period_end_on, x.id))
    out["renewal_eligible"] = GRADE_RANK[grade] >= GRADE_RANK[scheme["renewal_min_grade"]] and all(
        x.grade != "fail" for x in published
    )

    # 3. a rectification for a fail (withdrawn if an appeal lifts the fail)
    rect_id = before.get("rectification_id")
    if grade == "fail" and rect_id is None:
        r = await order_rectification(
            session,
            principal=principal,
            at=now,
            contract=c,
            facility_id=None,
            source="evaluation",
            finding=f"{e.period} 绩效考核不合格（{score} 分）",
            required_action="对照扣分项制定整改方案，限期整改并报送整改报告。",
            deadline_on=today + timedelta(days=int(scheme["rectification_days"])),
            evaluation_id=e.id,
        )
        rect_id = r.id
    elif grade != "fail" and rect_id is not None:
        open_one = await RectificationRepository(session).get_for_update(rect_id)
        if open_one is not None and open_one.status in ("open", "responded", "reopened"):
            await withdraw_rectification(
                session, open_one, principal=principal, at=now, reason=f"申诉改判：{e.period} 考核不再为不合格"
            )
        rect_id = None
    out["rectification_id"] = rect_id

    # 4. termination proposed after consecutive fails
    n = int(scheme["consecutive_fails_for_termination"])
    last = published[-n:]
    consecutive = len(last) >= n and all(x.grade == "fail" for x in last) and last[-1] is e
    if consecutive and c.termination_proposed_at is None:
        c.termination_proposed_at = now
        c.termination_proposal = f"连续 {n} 次考核不合格（{', '.join(x.period for x in last)}），建议解除合同。"
        c.version += 1
        c.updated_at = now
        audit.record(
            session,
            principal=principal,
            at=now,
            entity_type="contract",
            entity_id=c.id,
            action="termination_proposed",
            reason=c.termination_proposal,
            details={"evaluation_ids": [x.id for x in last]},
        )
        await outbox.record(
            session,
            "contract.termination_proposed",
            {
                "contract_id": c.id,
                "operator_id": c.operator_id,
                "evaluation_ids": [x.id for x in last],
                "reason": c.termination_proposal,
            },
            subject=f"contract/{c.id}",
            actor=principal.sub,
            at=now,
        )
    elif not consecutive and before.get("termination_proposed") and c.termination_proposed_at is not None:
        c.termination_proposed_at, c.termination_proposal = None, None
        c.version += 1
        c.updated_at = now
        audit.record(
            session,
            principal=principal,
            at=now,
            entity_type="contract",
            entity_id=c.id,
            action="termination_proposal_withdrawn",
            reason=f"申诉改判：evaluation {e.id}",
        )
    out["termination_proposed"] = consecutive

    # 5. the credit record
    points = int(scheme["credit_points"][grade])
    if previous_grade is None:
        await add_entry(
            session,
            principal=principal,
            at=now,
            operator_id=c.operator_id,
            kind="evaluation",
            points=points,
            description=f"{e.period} 绩效考核{GRADE_NAMES_ZH[grade]}（{score} 分，合同 {c.reference}）",
            source_type="evaluation",
            source_id=e.id,
        )
    else:
        delta = points - int(scheme["credit_points"][previous_grade])
        if delta:
            await add_entry(
                session,
                principal=principal,
                at=now,
                operator_id=c.operator_id,
                kind="appeal",
                points=delta,
                description=f"申诉改判：{e.period} 由{GRADE_NAMES_ZH[previous_grade]}改为{GRADE_NAMES_ZH[grade]}",
                source_type="evaluation",
                source_id=e.id,
            )
    out["credit_points"] = points
    return out


async def publish(
    session: AsyncSession,
    *,
    principal: Principal,
    clock: Clock,
    evaluation_id: int,
    data: Publish,
    if_match: IfMatch,
) -> EvaluationWithAppeal:
    e = await get_visible(session, viewer=principal, evaluation_id=evaluation_id, for_update=True)
    c = await _contract_for_evaluation(session, principal, e.contract_id)
    if_match.check(e.version, required=False)
    if e.status != "draft":
        raise state_conflict(
            f"Evaluation {e.id} is already published.", "evaluation-published", **{"from": e.status, "to": "published"}
        )
    if e.missing_inputs and not data.accept_missing:
        raise Conflict(
            f"{len(e.missing_inputs)} input(s) are missing; refresh once they are there, or publish with accept_missing and a reason.",
            slug="inputs-missing",
            missing_inputs=e.missing_inputs,
        )
    if e.missing_inputs and not data.reason:
        raise RuleViolation(
            "reason", "Say why the evaluation is published with inputs missing.", code="reason-required"
        )
    result = score_of(e.components, e.scheme["weights"], accept_missing=data.accept_missing)
    if result.score is None:
        raise state_conflict("No part of the evaluation has a score; there is nothing to publish.", "nothing-to-score")
    now = clock.now()
    today = clock.local_now().date()
    # Lock the contract: consequences change it.
    c = await ContractRepository(session).get_for_update(c.id)  # type: ignore[assignment]
    assert c is not None
    e.score_centi = to_centi(result.score)
    e.grade = grade_of(result.score, e.scheme["thresholds"])
    e.reweighted = result.reweighted
    e.status = "published"
    e.published_at = now
    e.published_by = principal.sub
    e.appeal_deadline_on = today + timedelta(days=int(e.scheme["appeal_window_days"]))
    e.version += 1
    e.updated_at = now
    e.consequences = jsonable(
        await _apply_consequences(session, e, c, principal=principal, clock=clock, previous_grade=None)
    )
    if result.reweighted:
        e.consequences = {
            **e.consequences,
            "weights_used": result.weights_used,
            "accepted_missing": [m["input"] for m in e.missing_inputs],
        }
    _keep_version(
        EvaluationRepository(session),
        e,
        number=1,
        kind="published",
        principal=principal,
        at=now,
        reason=data.reason or None,
    )
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type=ENTITY,
        entity_id=e.id,
        action="published",
        from_state="draft",
        to_state="published",
        reason=data.reason or None,
        details={
            "score": str(result.score),
            "grade": e.grade,
            "reweighted": result.reweighted,
            "consequences": e.consequences,
        },
    )
    await outbox.record(
        session,
        "evaluation.published",
        {
            "evaluation_id": e.id,
            "contract_id": c.id,
            "operator_id": c.operator_id,
            "period": e.period,
            "score": str(result.score),
            "grade": e.grade,
            "reweighted": result.reweighted,
            "consequences": e.consequences,
        },
        subject=f"evaluation/{e.id}",
        actor=principal.sub,
        at=now,
    )
    await session.commit()
    return EvaluationWithAppeal(e)


async def submit_appeal(
    session: AsyncSession, *, principal: Principal, clock: Clock, evaluation_id: int, data: AppealCreate
) -> EvaluationWithAppeal:
    e = await get_visible(session, viewer=principal, evaluation_id=evaluation_id, for_update=True)
    if not access.is_staff_of(principal, e.operator_id):
        raise Forbidden("Only the evaluated operator's own staff appeal.")
    if e.status != "published":
        raise state_conflict("Only a published evaluation is appealed.", "evaluation-not-published")
    repo = EvaluationRepository(session)
    if await repo.appeal_of(e.id) is not None:
        raise state_conflict("This evaluation was already appealed; an evaluation is appealed once.", "appeal-exists")
    today = clock.local_now().date()
    if e.appeal_deadline_on is None or today > e.appeal_deadline_on:
        raise state_conflict(
            f"The appeal window closed on {e.appeal_deadline_on}.",
            "appeal-window-closed",
            deadline_on=str(e.appeal_deadline_on),
        )
    now = clock.now()
    a = Appeal(
        evaluation_id=e.id,
        operator_id=e.operator_id,
        reason=data.reason,
        documents=[d.model_dump(mode="json", exclude_none=True) for d in data.documents],
        submitted_by=principal.sub,
        submitted_at=now,
        status="submitted",
        corrections=[],
    )
    repo.add_part(a)
    await repo.flush()
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type="appeal",
        entity_id=a.id,
        action="submitted",
        to_state="submitted",
        reason=data.reason,
        details={"evaluation_id": e.id, "documents": a.documents},
    )
    await outbox.record(
        session,
        "appeal.submitted",
        {"appeal_id": a.id, "evaluation_id": e.id, "operator_id": e.operator_id, "documents": len(a.documents)},
        subject=f"evaluation/{e.id}",
        actor=principal.sub,
        at=now,
    )
    await session.commit()
    return EvaluationWithAppeal(e, a)


async def decide_appeal(
    session: AsyncSession, *, principal: Principal, clock: Clock, evaluation_id: int, data: AppealDecision
) -> EvaluationWithAppeal:
    e = await get_visible(session, viewer=principal, evaluation_id=evaluation_id, for_update=True)
    c = await _contract_for_evaluation(session, principal, e.contract_id)
    if e.published_by is not None and principal.sub == e.published_by:
        raise Forbidden(
            "You published this evaluation; its appeal is decided by another official (separation of duties).",
            slug="same-official",
        )
    repo = EvaluationRepository(session)
    a = await repo.appeal_for_update(e.id)
    if a is None:
        raise NotFound(f"Evaluation {e.id} has no appeal.")
    if a.status != "submitted":
        raise state_conflict(
            f"The appeal was already {a.status}.", "appeal-decided", **{"from": a.status, "to": data.decision}
        )
    corrected: tuple[dict[str, Any], list[dict[str, Any]]] | None = None
    revised = None
    if data.decision == "upheld":
        if not data.corrections:
            raise RuleViolation(
                "corrections",
                "An upheld appeal names the inputs found wrong and their corrected values; the score is recomputed from them.",
                code="corrections-required",
            )
        try:
            corrected = recompute(e.components, [c_.model_dump(mode="json") for c_ in data.corrections])
        except CorrectionError as exc:
            raise RuleViolation(exc.field, exc.message, code="correction-invalid") from exc
        revised = score_of(corrected[0], e.scheme["weights"], accept_missing=e.reweighted).score
        if revised is None:
            raise state_conflict(
                "The corrected evaluation has no score; correct the missing inputs too.", "nothing-to-score"
            )
    elif data.corrections:
        raise RuleViolation("corrections", "A rejected appeal corrects nothing.", code="corrections-on-rejection")
    now = clock.now()
    a.status, a.decision_reason, a.decided_by, a.decided_at = data.decision, data.reason, principal.sub, now
    details: dict[str, Any] = {"evaluation_id": e.id}
    if data.decision == "upheld":
        assert corrected is not None and revised is not None
        components, applied = corrected
        c = await ContractRepository(session).get_for_update(c.id)  # type: ignore[assignment]
        assert c is not None
        versions_kept = await repo.versions(e.id)
        if not versions_kept:  # published before versions were kept: keep it as it stands first
            _keep_version(repo, e, number=1, kind="published", principal=principal, at=now)
        previous_grade = e.grade
        a.revised_score_centi = to_centi(revised)
        a.corrections = applied
        if e.original_score_centi is None:
            e.original_score_centi = e.score_centi
        e.components = components
        e.score_centi = a.revised_score_centi
        e.grade = grade_of(revised, e.scheme["thresholds"])
        e.version += 1
        e.updated_at = now
        e.consequences = jsonable(
            await _apply_consequences(session, e, c, principal=principal, clock=clock, previous_grade=previous_grade)
        )
        _keep_version(
            repo,
            e,
            number=(versions_kept[-1].number if versions_kept else 1) + 1,
            kind="appeal_upheld",
            principal=principal,
            at=now,
            corrections=applied,
            reason=data.reason,
        )
        for fix in applied:
            repo.add_part(
                EvaluationEvidence(
                    evaluation_id=e.id,
                    input=f"correction:{fix['input']}"[:100],
                    source="appeal",
                    request=f"appeal {a.id} upheld by {principal.sub}"[:500],
                    from_on=e.period_start_on,
                    to_on=e.period_end_on,
                    fetched_at=now,
                    ok=True,
                    error=None,
                    data={**fix, "documents": a.documents},
                )
            )
        details |= {"revised_score": str(revised), "grade": [previous_grade, e.grade], "corrections": applied}
        audit.record(
            session,
            principal=principal,
            at=now,
            entity_type=ENTITY,
            entity_id=e.id,
            action="revised",
            reason=data.reason,
            details=details,
        )
        await outbox.record(
            session,
            "evaluation.revised",
            {
                "evaluation_id": e.id,
                "contract_id": c.id,
                "operator_id": c.operator_id,
                "period": e.period,
                "score": str(revised),
                "grade": e.grade,
                "previous_grade": previous_grade,
                "consequences": e.consequences,
            },
            subject=f"evaluation/{e.id}",
            actor=principal.sub,
            at=now,
        )
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type="appeal",
        entity_id=a.id,
        action=data.decision,
        from_state="submitted",
        to_state=data.decision,
        reason=data.reason,
        details=details,
    )
    await outbox.record(
        session,
        "appeal.decided",
        {
            "appeal_id": a.id,
            "evaluation_id": e.id,
            "operator_id": e.operator_id,
            "decision": data.decision,
            "reason": data.reason,
        },
        subject=f"evaluation/{e.id}",
        actor=principal.sub,
        at=now,
    )
    await session.commit()
    return EvaluationWithAppeal(e, a)
