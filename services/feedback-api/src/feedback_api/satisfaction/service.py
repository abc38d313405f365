"""The satisfaction index (满意度指数), read from the running aggregates (whole months) plus the raw
ratings of any partial month at the edges of a date range; see stats.py for the arithmetic and the
service README for the exact definition."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from feedback_api.cases.categories import ABOUT_OPERATOR
from feedback_api.operations.repository import OperationRepository
from feedback_api.periods import (
    DateRange,
    local_date,
    month_start,
    next_month,
    quarter_of,
    quarter_range,
)
from feedback_api.ratings.aggregates import DIMENSION_COLUMNS, SUM_COLUMNS
from feedback_api.satisfaction import stats
from feedback_api.satisfaction.repository import (
    AggregateRepository,
    CaseStatsRepository,
    Scope,
)
from feedback_api.satisfaction.schemas import (
    CaseFigures,
    RankingRow,
    RatingFigures,
    ReconcileResult,
    SatisfactionSummary,
)
from feedback_api.settings import Settings
from service_kit.auth import Principal
from service_kit.problems import Forbidden, RuleViolation

MAX_RANGE_DAYS = 3 * 366


def date_range(
    *, first: date | None, last: date | None, period: str | None, now: datetime
) -> tuple[DateRange, str | None]:
    for name, day in (("from", first), ("to", last)):
        if day is not None and not date(2000, 1, 1) <= day <= date(2099, 12, 31):
            raise RuleViolation(
                name, "dates run from 2000-01-01 to 2099-12-31", code="date-range"
            )
    if period and (first or last):
        raise RuleViolation(
            "period",
            "give either a period or from/to, not both",
            code="range-or-period",
        )
    if period:
        return DateRange(*quarter_range(period)), period
    if first is None and last is None:
        q = quarter_of(now)
        return DateRange(*quarter_range(q)), q
    if first is None or last is None:
        raise RuleViolation(
            "from" if first is None else "to",
            "give both from and to",
            code="range-incomplete",
        )
    if first > last:
        raise RuleViolation("to", "to is before from", code="range-order")
    if (last - first).days > MAX_RANGE_DAYS:
        raise RuleViolation(
            "to", "a range may span at most three years", code="range-too-long"
        )
    rng = DateRange(first, last)
    q = quarter_of(rng.start)
    return rng, q if quarter_range(q) == (first, last) else None


def _empty() -> dict[str, int]:
    return dict.fromkeys(SUM_COLUMNS, 0)


def _add(into: dict[str, int], row: Any) -> None:
    for c in SUM_COLUMNS:
        into[c] += int(getattr(row, c) or 0)


async def _totals(
    session: AsyncSession, scope: Scope, rng: DateRange, *, group_by: str | None = None
) -> dict[Any, dict[str, int]]:
    """Sums for the range: aggregates for whole months, raw ratings for the partial edges."""
    repo = AggregateRepository(session)
    out: dict[Any, dict[str, int]] = defaultdict(_empty)
    for row in await repo.totals(scope, rng.whole_months(), group_by=group_by):
        _add(out[row.group_key], row)
    for start, end in rng.partial_spans():
        for row in await repo.raw_totals(scope, start, end, group_by=group_by):
            _add(out[row.group_key], row)
    return out


def _prior(t: dict[str, int], *, verified: bool) -> tuple[int, int] | None:
    """The district mean as an exact fraction (sum, count), or None without ratings."""
    n, s = (
        (t["verified_n"], t["verified_sum"]) if verified else (t["n"], t["overall_sum"])
    )
    return (s, n) if n else None


def _prior_text(prior: tuple[int, int] | None) -> str | None:
    return stats.half_up(*prior) if prior else None


def _figures(
    t: dict[str, int],
    prior: tuple[int, int] | None,
    settings: Settings,
    *,
    verified: bool = False,
) -> dict[str, Any]:
    if verified:
        n, s, sat = t["verified_n"], t["verified_sum"], t["verified_satisfied"]
    else:
        n, s, sat = t["n"], t["overall_sum"], t["satisfied"]
    return stats.figures(
        n=n,
        total=s,
        satisfied=sat,
        prior=prior,
        strength=settings.index_prior_strength,
        min_sample=settings.index_min_sample,
    )


async def _case_figures(
    session: AsyncSession, scope: Scope, rng: DateRange, now: datetime
) -> CaseFigures:
    row = await CaseStatsRepository(session).complaint_stats(
        scope, rng.start, rng.end, now, not_answered_by_operator=ABOUT_OPERATOR
    )
    return CaseFigures(
        complaints=int(row.complaints),
        responded_on_time=int(row.on_time),
        on_time_rate=stats.q2(Decimal(int(row.on_time)) / Decimal(int(row.decided)))
        if row.decided
        else None,
        answer_satisfaction_mean=stats.q2(
            stats.mean(int(row.rating_sum), int(row.rated))
        ),
    )


async def summary(
    session: AsyncSession,
    *,
    scope: Scope,
    rng: DateRange,
    settings: Settings,
    now: datetime,
) -> SatisfactionSummary:
    """The exact shape operators-api reads for evaluations."""
    district = (await _totals(session, Scope("district"), rng))[None]
    mine = (
        (await _totals(session, scope, rng))[None]
        if scope.kind != "district"
        else district
    )
    return SatisfactionSummary(
        from_=rng.first,
        to=rng.last,
        ratings=RatingFigures.model_validate(
            _figures(mine, _prior(district, verified=False), settings)
        ),
        cases=await _case_figures(session, scope, rng, now),
    )


async def _trend(
    session: AsyncSession, scope: Scope, rng: DateRange, settings: Settings
) -> list[dict[str, Any]]:
    by_month = await _totals(session, scope, rng, group_by="month")
    district_by_month = (
        await _totals(session, Scope("district"), rng, group_by="month")
        if scope.kind != "district"
        else by_month
    )
    points = []
    for month in rng.months():
        t = by_month.get(month, _empty())
        f = _figures(
            t, _prior(district_by_month.get(month, _empty()), verified=False), settings
        )
        points.append(
            {
                "month": month,
                "count": f["count"],
                "mean": f["mean"],
                "smoothed_mean": f["smoothed_mean"],
                "share_satisfied": f["share_satisfied"],
                "insufficient_data": f["insufficient_data"],
            }
        )
    return points


async def report(
    session: AsyncSession,
    *,
    scope: Scope,
    rng: DateRange,
    period: str | None,
    settings: Settings,
    now: datetime,
) -> dict[str, Any]:
    district = (await _totals(session, Scope("district"), rng))[None]
    t = (
        (await _totals(session, scope, rng))[None]
        if scope.kind != "district"
        else district
    )
    prior = _prior(district, verified=False)
    return {
        "scope": scope.kind,
        "key": scope.key,
        "from": rng.first,
        "to": rng.last,
        "period": period,
        "ratings": _figures(t, prior, settings),
        "verified": _figures(
            t, _prior(district, verified=True), settings, verified=True
        ),
        "dimensions": {
            dim: {"count": t[n_col], "mean": stats.q2(stats.mean(t[sum_col], t[n_col]))}
            for dim, (n_col, sum_col) in DIMENSION_COLUMNS.items()
        },
        "trend": await _trend(session, scope, rng, settings),
        "cases": await _case_figures(session, scope, rng, now),
        "method": {
            "prior_mean": _prior_text(prior),
            "prior_strength": settings.index_prior_strength,
            "min_sample": settings.index_min_sample,
            "confidence": "95 % (Wilson score, z = 1.96)",
        },
    }


async def _ranking_groups(
    session: AsyncSession, *, by: str, rng: DateRange
) -> Sequence[Any]:
    """(key, n, overall sum, satisfied, name, subdistrict, operator) per group with ratings. A range of
    whole months (every quarter) is one query over the aggregates; partial months at the edges add
    their raw ratings."""
    repo = AggregateRepository(session)
    if not rng.partial_spans():
        rows = await repo.ranking_rows(rng.whole_months(), by)
        if by == "facility":
            return rows  # rank_groups takes them as they are
        return [(r[0], r[1], r[2], r[3], None, None, None) for r in rows]
    groups = await _totals(session, Scope("district"), rng, group_by=by)
    names: dict[Any, tuple[str | None, str | None, int | None]] = {}
    if by == "facility":
        names = await repo.facility_names([k for k in groups if k is not None])
    return [
        (
            key,
            t["n"],
            t["overall_sum"],
            t["satisfied"],
            *names.get(key, (None, None, None)),
        )
        for key, t in groups.items()
        if t["n"]
    ]


async def ranking(
    session: AsyncSession, *, by: str, rng: DateRange, settings: Settings
) -> list[RankingRow]:
    """Every group with ratings in the range, ranked."""
    return rank_groups(
        await _ranking_groups(session, by=by, rng=rng), by=by, settings=settings
    )


# The last ranking per (grouping, prior strength, minimum sample), with the groups it was computed from.
_last_ranking: dict[tuple[Any, ...], tuple[tuple[Any, ...], list[RankingRow]]] = {}


def rank_groups(
    groups: Sequence[Any], *, by: str, settings: Settings
) -> list[RankingRow]:
    """Rank (key, n, overall sum, satisfied, name, subdistrict, operator) groups by stats.ranked_figures,
    ties broken by key; the district prior is the groups' own total. The ranking is a pure function of
    the groups: while they are exactly the same as last time (no rating changed a sum), the last ranking
    is returned again rather than recomputed. The groups are compared as they came (tuples, or the
    database's rows, which compare as tuples). The rows are the response's own models, validated once
    per ranking: the answer does not validate a row per facility again on every request."""
    signature = tuple(groups)
    memo_key = (by, settings.index_prior_strength, settings.index_min_sample)
    last = _last_ranking.get(memo_key)
    if last is not None and last[0] == signature:
        return list(last[1])
    rows = [
        RankingRow.model_validate(row)
        for row in _rank(signature, by=by, settings=settings)
    ]
    _last_ranking[memo_key] = (signature, rows)
    return list(rows)


def _rank(
    groups: tuple[tuple[Any, ...], ...], *, by: str, settings: Settings
) -> list[dict[str, Any]]:
    prior_n = prior_sum = 0
    for g in groups:
        prior_n += int(g[1])
        prior_sum += int(g[2])
    prior = (prior_sum, prior_n) if prior_n else None
    strength, min_sample = settings.index_prior_strength, settings.index_min_sample
    keyed: list[tuple[Any, ...]] = []
    for key, n, total, satisfied, name, subdistrict, operator_id in groups:
        figures, place = stats.ranked_figures(
            int(n), int(total), int(satisfied), prior, strength, min_sample
        )
        if by == "facility":
            row = {
                "key": key,
                "name": name,
                "subdistrict": subdistrict,
                "operator_id": operator_id,
                "ratings": figures,
            }
        elif by == "operator":
            row = {
                "key": key,
                "name": f"operator {key}" if key else "government-run",
                "subdistrict": None,
                "operator_id": key or None,
                "ratings": figures,
            }
        else:
            row = {
                "key": key,
                "name": key,
                "subdistrict": key if by == "subdistrict" else None,
                "operator_id": None,
                "ratings": figures,
            }
        keyed.append(
            (place, str(key), len(keyed), row)
        )  # the position: equal keys never compare rows
    keyed.sort()
    rows = []
    rank = 0
    for place, _, _, row in keyed:
        if place[0]:
            row["rank"] = None
        else:
            rank += 1
            row["rank"] = rank
        rows.append(row)
    return rows


async def overview(
    session: AsyncSession,
    *,
    rng: DateRange,
    period: str | None,
    settings: Settings,
    now: datetime,
) -> dict[str, Any]:
    base = await report(
        session,
        scope=Scope("district"),
        rng=rng,
        period=period,
        settings=settings,
        now=now,
    )
    return {
        **base,
        "ranking": await ranking(session, by="facility", rng=rng, settings=settings),
    }


async def check_reader(
    session: AsyncSession, principal: Principal, scope: Scope
) -> None:
    """officials, auditors, services; an operator for itself (and for the facilities it runs)."""
    if principal.role in ("official", "auditor", "service"):
        return
    if principal.role == "operator" and principal.operator_id is not None:
        if scope.kind == "operator" and scope.key == principal.operator_id:
            return
        if scope.kind == "facility":
            op = await OperationRepository(session).get(int(scope.key))  # type: ignore[arg-type]
            if op is not None and op.operator_id == principal.operator_id:
                return
    raise Forbidden(
        "These figures are read by officials, auditors, services and the operator concerned."
    )


async def reconcile(
    session: AsyncSession, *, first_month: str | None, last_month: str | None
) -> ReconcileResult:
    """Recompute the aggregates from the raw ratings and fix every row that differs."""
    months: list[str] | None = None
    if first_month or last_month:
        if not (first_month and last_month):
            raise RuleViolation(
                "to_month" if first_month else "from_month",
                "give both from_month and to_month",
                code="range-incomplete",
            )
        day, end = month_start(first_month), month_start(last_month)
        if day > end:
            raise RuleViolation(
                "to_month", "to_month is before from_month", code="range-order"
            )
        months = []
        while day <= end and len(months) < 240:
            months.append(f"{day.year}-{day.month:02d}")
            day = next_month(day)
    repo = AggregateRepository(session)
    raw = await repo.raw_rows_by_key(months)
    stored = await repo.stored_rows_by_key(months)
    fixed = []
    for key in sorted(set(raw) | set(stored), key=lambda k: tuple(str(p) for p in k)):
        want, have = raw.get(key), stored.get(key)
        if want is not None and all(int(want[c]) == 0 for c in ("n",)):
            want = None
        same = (
            want is not None
            and have is not None
            and all(int(want[c]) == int(have[c]) for c in SUM_COLUMNS)
        ) or (
            want is None
            and (have is None or all(int(have[c]) == 0 for c in SUM_COLUMNS))
        )
        if not same:
            await repo.replace_row(key, want)
            fixed.append("/".join(str(p) for p in key))
    await session.commit()
    return ReconcileResult(
        months=months,
        rows_checked=len(set(raw) | set(stored)),
        rows_fixed=len(fixed),
        fixed=fixed[:50],
    )


def today(now: datetime) -> date:
    return local_date(now)
