"""The arithmetic of the satisfaction index, in Decimal so that SQLite and PostgreSQL agree to the digit.

For a set of counted ratings with n ratings, overall sum S and s of them satisfied (overall 4 or 5):

- mean = S / n
- smoothed mean (Bayesian average) = (C·m + S) / (C + n), where m is the district mean of the same
  period and variant and C the prior strength (settings: index_prior_strength, default 10). With few
  ratings it stays near the district mean; with many it approaches the plain mean, so 3 ratings of 5
  cannot outrank 300 ratings averaging 4.8.
- share satisfied p = s / n, with the Wilson score interval at 95 % (z = 1.96):
  (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n)
- every figure is rounded half up to 2 places and returned as a decimal string; below the minimum
  sample (settings: index_min_sample, default 10) each is null and insufficient_data is true.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import lru_cache

TWO_PLACES = Decimal("0.01")
Z = Decimal("1.96")


def q2(value: Decimal | None) -> str | None:
    return (
        None
        if value is None
        else str(value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP))
    )


def mean(total: int, count: int) -> Decimal | None:
    return None if count == 0 else Decimal(total) / Decimal(count)


def smoothed_mean(
    total: int, count: int, prior_mean: Decimal | None, strength: int
) -> Decimal | None:
    if count == 0:
        return None
    if prior_mean is None or strength == 0:
        return Decimal(total) / Decimal(count)
    return (Decimal(strength) * prior_mean + Decimal(total)) / Decimal(strength + count)


def wilson(successes: int, count: int) -> tuple[Decimal, Decimal] | None:
    if count == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 16  # ample for two decimal places, and fast
        n = Decimal(count)
        p = Decimal(successes) / n
        z2 = Z * Z
        denom = 1 + z2 / n
        center = p + z2 / (2 * n)
        half = Z * (p * (1 - p) / n + z2 / (4 * n * n)).sqrt()
        low = max(Decimal(0), (center - half) / denom)
        high = min(Decimal(1), (center + half) / denom)
    return low, high


def half_up(num: int, den: int) -> str:
    """num/den (both ≥ 0, den > 0) rounded half up to 2 places, exactly, with integers."""
    return _text((200 * num + den) // (2 * den))


def _text(hundredths: int) -> str:
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def _interval(successes: int, count: int) -> tuple[int, int]:
    """The Wilson bounds as published, in hundredths: computed in binary floating point (the bounds are
    irrational, so no exact decimal exists to round), then rounded half up to 2 places."""
    p = successes / count
    z = 1.96
    z2 = z * z
    denom = 1 + z2 / count
    center = p + z2 / (2 * count)
    half = z * math.sqrt(p * (1 - p) / count + z2 / (4 * count * count))
    low = max(0.0, (center - half) / denom)
    high = min(1.0, (center + half) / denom)
    return math.floor(low * 100 + 0.5), math.floor(high * 100 + 0.5)


INSUFFICIENT: dict[str, object] = {
    "mean": None,
    "smoothed_mean": None,
    "share_satisfied": None,
    "wilson_low": None,
    "wilson_high": None,
    "insufficient_data": True,
}


def figures(
    *,
    n: int,
    total: int,
    satisfied: int,
    prior: tuple[int, int] | None,
    strength: int,
    min_sample: int,
) -> dict[str, object]:
    """The rating figures of one index, as published."""
    return ranked_figures(n, total, satisfied, prior, strength, min_sample)[0]


def ranked_figures(
    n: int,
    total: int,
    satisfied: int,
    prior: tuple[int, int] | None,
    strength: int,
    min_sample: int,
) -> tuple[dict[str, object], tuple[int, int, int, int]]:
    """The figures, and their place in a ranking: best smoothed mean first, then the higher lower bound of
    the share satisfied, then more ratings; insufficient data last. `prior` is the district mean as a
    fraction (sum, count), so the smoothed mean (C·Sd/nd + S) / (C + n) = (C·Sd + S·nd) / (nd·(C + n)) is
    exact. The sort key compares the published 2-place figures (as hundredths)."""
    if n < min_sample:
        return {"count": n, **INSUFFICIENT}, (1, 0, 0, -n)
    if prior is None or prior[1] == 0 or strength == 0:
        num, den = total, n
    else:
        prior_sum, prior_n = prior
        num, den = strength * prior_sum + total * prior_n, prior_n * (strength + n)
    smoothed = (200 * num + den) // (2 * den)
    mean, share, low, high, low_q = _own_figures(n, total, satisfied)
    figures = {
        "count": n,
        "mean": mean,
        "smoothed_mean": _text(smoothed),
        "share_satisfied": share,
        "wilson_low": low,
        "wilson_high": high,
        "insufficient_data": False,
    }
    return figures, (0, -smoothed, -low_q, -n)


@lru_cache(maxsize=65_536)
def _own_figures(n: int, total: int, satisfied: int) -> tuple[str, str, str, str, int]:
    """The figures that depend on a group's own sums only (not on the district prior): a pure function,
    remembered, since between two reads of a ranking most facilities' sums have not changed."""
    low, high = _interval(satisfied, n)
    return half_up(total, n), half_up(satisfied, n), _text(low), _text(high), low
