"""The evaluation of one contract for one period, computed from plain data (no database, no
network): what the database holds (targets, reports, inspections, the expert score) and what the
other services answered (each a Fetched, kept as evidence). Missing figures are named, never made up.
The rules themselves are in rules.py."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from operators_api.clients.base import Fetched
from operators_api.clients.feedback import decimal_or_none
from operators_api.evaluations.rules import KPI_ITEMS, PARTS, Total, attainment, satisfaction_score, total
from operators_api.periods import Period, months_between
from operators_api.shared import from_centi, round2

DAYS_PER_MONTH = Decimal("30.4375")
REPORTS = "operators-api:service-reports"
INSPECTIONS = "operators-api:inspections"
STATS_FIGURES = {
    "activities_per_month": "activities_held",
    "participants_per_month": "participants",
    "special_group_services_per_month": "special_group_services_done",
}


@dataclass(slots=True)
class ContractFacts:
    """What operators-api itself holds about the contract for the period."""

    contract_id: int
    operator_id: int
    kpi_targets: dict[str, int]
    facility_ids: list[int]
    period: Period
    # month → [{facility_id, open_hours, ...}] for the reports filed
    reports: dict[str, dict[str, Any]]
    # [{id, inspected_on, score_centi, facility_id}]
    inspections: list[dict[str, Any]]
    expert_score_centi: int | None
    expert_assessor: str | None


@dataclass(slots=True)
class Computed:
    components: dict[str, Any]
    missing: list[dict[str, Any]]
    evidence: list[dict[str, Any]] = field(default_factory=list)


def _answer(f: Fetched) -> dict[str, Any]:
    """What a service answered, for a fetch already known to be ok."""
    if f.data is None:
        raise ValueError(f"{f.source} gave no answer to {f.request}")
    return f.data


def _evidence(input_: str, f: Fetched, period: Period) -> dict[str, Any]:
    return {
        "input": input_,
        "source": f.source,
        "request": f.request[:500],
        "from_on": period.start,
        "to_on": period.end,
        "fetched_at": f.fetched_at,
        "ok": f.ok,
        "error": f.error,
        "data": f.data,
    }


def _local(
    kind: str, request: str, period: Period, at: datetime, data: Any, ok: bool, error: str | None = None
) -> dict[str, Any]:
    return {
        "input": kind,
        "source": REPORTS if kind == "service_reports" else INSPECTIONS if kind == "inspections" else "official",
        "request": request,
        "from_on": period.start,
        "to_on": period.end,
        "fetched_at": at,
        "ok": ok,
        "error": error,
        "data": data,
    }


def compute(
    facts: ContractFacts,
    stats: dict[int, Fetched],
    satisfaction: dict[int, Fetched],
    *,
    now: datetime,
    open_hours: dict[int, Fetched],
) -> Computed:
    p = facts.period
    months = Decimal(p.days) / DAYS_PER_MONTH
    n_fac = Decimal(len(facts.facility_ids) or 1)
    missing: list[dict[str, Any]] = []
    evidence = [_evidence(f"facility_stats:{fid}", stats[fid], p) for fid in facts.facility_ids]
    evidence += [_evidence(f"satisfaction:{fid}", satisfaction[fid], p) for fid in facts.facility_ids]
    evidence += [_evidence(f"open_hours:{fid}", open_hours[fid], p) for fid in facts.facility_ids]

    # -- resident satisfaction (feedback-api) --
    sat_items, sat_missing, weighted, count = [], [], Decimal(0), 0
    complaints = on_time = 0
    cases_ok = True
    for fid in facts.facility_ids:
        f = satisfaction[fid]
        if not f.ok:
            sat_missing.append(
                {
                    "input": f"satisfaction:{fid}",
                    "source": f.source,
                    "reason": f"feedback-api did not answer for facility {fid}: {f.error}",
                }
            )
            cases_ok = False
            continue
        ratings, cases = f.data["ratings"], f.data["cases"]  # type: ignore[index]
        complaints += int(cases.get("complaints") or 0)
        on_time += int(cases.get("responded_on_time") or 0)
        smoothed = decimal_or_none(ratings.get("smoothed_mean"))
        n = int(ratings.get("count") or 0)
        if ratings.get("insufficient_data") or smoothed is None:
            sat_missing.append(
                {
                    "input": f"satisfaction:{fid}",
                    "source": f.source,
                    "reason": f"too few ratings at facility {fid} for a satisfaction index ({n}; insufficient_data)",
                }
            )
            continue
        score = satisfaction_score(smoothed)
        sat_items.append({"facility_id": fid, "smoothed_mean": str(smoothed), "ratings": n, "score": str(score)})
        weighted += score * max(n, 1)
        count += max(n, 1)
    sat_score = round2(weighted / count) if count else None
    satisfaction_part = {
        "score": sat_score,
        "complete": not sat_missing and sat_score is not None,
        "facilities": sat_items,
        "method": "25 × (smoothed mean − 1) per facility, weighted by the number of ratings",
    }
    missing += sat_missing

    # -- KPI attainment --
    items: dict[str, Any] = {}
    kpi_missing: list[dict[str, Any]] = []
    failed_stats = [fid for fid in facts.facility_ids if not stats[fid].ok]
    report_months = months_between(p.start, p.end)
    absent_months = [m for m in report_months if m not in facts.reports]
    for key, target in sorted(facts.kpi_targets.items()):
        if key not in KPI_ITEMS or target is None:
            continue
        t = Decimal(target)
        actual: Decimal | None = None
        source, reason = "", ""
        if key == "open_hours_per_week":
            # What the platform recorded (opening hours and their exceptions), not the operator's report.
            source = "facilities-api"
            failed_hours = [fid for fid in facts.facility_ids if not open_hours[fid].ok]
            if failed_hours:
                errors = "; ".join(f"{fid}: {open_hours[fid].error}" for fid in failed_hours[:3])
                reason = f"facilities-api did not say the open hours of facilities {failed_hours} ({errors})"
            else:
                weekly = sum(
                    (Decimal(str(_answer(open_hours[fid])["weekly_average_hours"])) for fid in facts.facility_ids),
                    Decimal(0),
                )
                actual = round2(weekly / n_fac)
        elif key in STATS_FIGURES:
            source = "facilities-api"
            if failed_stats:
                errors = "; ".join(f"{fid}: {stats[fid].error}" for fid in failed_stats[:3])
                reason = f"facilities-api did not answer for facilities {failed_stats} ({errors})"
            else:
                value = sum(
                    (Decimal(str(_answer(stats[fid])[STATS_FIGURES[key]])) for fid in facts.facility_ids), Decimal(0)
                )
                actual = round2(value / months / n_fac)
        elif key == "complaint_on_time_percent":
            source = "feedback-api"
            if not cases_ok:
                reason = "feedback-api did not answer for every facility"
            else:
                actual = Decimal(100) if complaints == 0 else round2(Decimal(on_time) / Decimal(complaints) * 100)
        elif key == "min_satisfaction_score":
            source = "feedback-api"
            if not satisfaction_part["complete"]:
                reason = "the satisfaction index is missing (see satisfaction)"
            else:
                actual = sat_score
        if actual is None:
            items[key] = {"target": target, "actual": None, "attainment": None, "source": source, "missing": reason}
            kpi_missing.append({"input": f"kpi.{key}", "source": source, "reason": reason})
        else:
            items[key] = {
                "target": target,
                "actual": str(actual),
                "attainment": str(attainment(actual, t)),
                "source": source,
            }
    present = [Decimal(v["attainment"]) for v in items.values() if v["attainment"] is not None]
    if not items:
        kpi_missing.append(
            {"input": "kpi", "source": "operators-api:contracts", "reason": "the contract sets no KPI targets"}
        )
    kpi_part = {
        "score": round2(sum(present, Decimal(0)) / len(present)) if present else None,
        "complete": not kpi_missing and bool(present),
        "items": items,
        "method": "mean of min(actual / target, 1) × 100 over the contract's targets",
    }
    missing += kpi_missing
    reports_data = {
        m: {"report_id": r["id"], "lines": r["lines"]} for m, r in sorted(facts.reports.items()) if m in report_months
    }
    evidence.append(
        _local(
            "service_reports",
            f"service reports of contract {facts.contract_id} for {', '.join(report_months)}",
            p,
            now,
            reports_data,
            not absent_months,
            f"missing: {', '.join(absent_months)}" if absent_months else None,
        )
    )

    # -- inspections --
    if facts.inspections:
        scores = [from_centi(i["score_centi"]) for i in facts.inspections]
        insp_score = round2(sum((s for s in scores if s is not None), Decimal(0)) / len(scores))
        inspection_part = {
            "score": insp_score,
            "complete": True,
            "inspections": facts.inspections,
            "method": "mean inspection score",
        }
    else:
        inspection_part = {"score": None, "complete": False, "inspections": [], "method": "mean inspection score"}
        missing.append(
            {"input": "inspections", "source": INSPECTIONS, "reason": "no inspection of this contract in the period"}
        )
    evidence.append(
        _local(
            "inspections",
            f"inspections of contract {facts.contract_id} between {p.start} and {p.end}",
            p,
            now,
            {"inspections": facts.inspections},
            bool(facts.inspections),
        )
    )

    # -- third party / expert --
    expert = from_centi(facts.expert_score_centi)
    expert_part = {"score": expert, "complete": expert is not None, "assessor": facts.expert_assessor}
    if expert is None:
        missing.append(
            {"input": "expert", "source": "official", "reason": "no third-party or expert score entered yet"}
        )

    components = {
        "kpi": kpi_part,
        "inspection": inspection_part,
        "satisfaction": satisfaction_part,
        "expert": expert_part,
    }
    return Computed(components=_jsonable(components), missing=missing, evidence=evidence)


def part_scores(components: dict[str, Any], *, accept_missing: bool) -> dict[str, Decimal | None]:
    out: dict[str, Decimal | None] = {}
    for part in PARTS:
        c = components.get(part) or {}
        score = decimal_or_none(c.get("score"))
        out[part] = score if (c.get("complete") or accept_missing) else None
    return out


def score_of(components: dict[str, Any], weights: dict[str, int], *, accept_missing: bool) -> Total:
    return total(part_scores(components, accept_missing=accept_missing), weights, accept_missing=accept_missing)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


class CorrectionError(ValueError):
    """A correction names an input the evaluation does not have, or a value out of its range."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def recompute(
    components: dict[str, Any], corrections: list[dict[str, Any]]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The evaluation's parts with corrected inputs (an upheld appeal), recomputed by the same rules as
    the first computation: a KPI's actual figure (its attainment and the KPI part follow), an inspection's
    score (the inspection part follows), the expert score. Returns the new parts and what changed
    ({input, from, to, reason}); the parts given are not modified."""
    out = copy.deepcopy(components)
    applied: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n, c in enumerate(corrections):
        field = f"corrections.{n}"
        name, value, reason = str(c["input"]), Decimal(str(c["value"])), str(c["reason"])
        if name in seen:
            raise CorrectionError(field, f"{name} is corrected twice.")
        seen.add(name)
        kind, _, ref = name.partition(".")
        if kind == "kpi":
            items = out.get("kpi", {}).get("items", {})
            if ref not in items:
                raise CorrectionError(
                    field, f"The evaluation has no KPI {ref!r}; it has {', '.join(sorted(items)) or 'none'}."
                )
            item = items[ref]
            old = item.get("actual")
            item.update(
                {
                    "actual": str(round2(value)),
                    "attainment": str(attainment(round2(value), Decimal(item["target"]))),
                    "corrected": True,
                }
            )
            item.pop("missing", None)
        elif kind == "inspection":
            if value > 100:
                raise CorrectionError(field, "An inspection score is at most 100.")
            rows = out.get("inspection", {}).get("inspections", [])
            row = next((r for r in rows if str(r.get("id")) == ref), None)
            if row is None:
                raise CorrectionError(field, f"Inspection {ref} is not part of this evaluation.")
            old = str(from_centi(row["score_centi"]))
            row["score_centi"] = int((value * 100).to_integral_value())
            row["corrected"] = True
        else:  # expert
            if value > 100:
                raise CorrectionError(field, "The expert score is at most 100.")
            expert = out.setdefault("expert", {})
            old = expert.get("score")
            expert.update({"score": str(round2(value)), "complete": True, "corrected": True})
        applied.append(
            {"input": name, "from": None if old is None else str(old), "to": str(round2(value)), "reason": reason}
        )
    if any(a["input"].startswith("kpi.") for a in applied):
        kpi = out["kpi"]
        present = [Decimal(v["attainment"]) for v in kpi["items"].values() if v.get("attainment") is not None]
        kpi["score"] = str(round2(sum(present, Decimal(0)) / len(present))) if present else None
        kpi["complete"] = bool(present) and all(v.get("attainment") is not None for v in kpi["items"].values())
    if any(a["input"].startswith("inspection.") for a in applied):
        part = out["inspection"]
        scores = [from_centi(r["score_centi"]) for r in part["inspections"]]
        part["score"] = str(round2(sum((s for s in scores if s is not None), Decimal(0)) / len(scores)))
    return out, applied
