"""Abuse resistance for ratings: per-resident limits, and bursts on one target.

- A resident may make at most `ratings_per_hour` ratings in an hour and `ratings_per_day` in a day
  (counted in the database, so every replica agrees); beyond that: 429 with Retry-After.
- A rating's author is a *new account* when they had no rating here before, or their first one is
  younger than `new_account_days` (0 turns this rule off).
- A *burst*: within `burst_window_minutes`, `burst_threshold` or more live ratings of one target from
  new accounts, or from one network. The burst is recorded (rating_burst, visible to officials) and its
  ratings are held: out of the satisfaction index and the public lists until an official releases or
  hides them. Later ratings that fit an open burst join it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from feedback_api.exceptions import TooManyRequests
from feedback_api.ratings.aggregates import AggregateRepository
from feedback_api.ratings.models import Rating, RatingBurst
from feedback_api.ratings.repository import RatingRepository
from feedback_api.settings import Settings

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Activity:
    """A resident's ratings as the limits see them (RatingRepository.activity_of)."""

    last_hour: int = 0
    last_day: int = 0
    first_at: datetime | None = None
    oldest_in_hour: datetime | None = None
    oldest_in_day: datetime | None = None


def judge(activity: Activity, *, now: datetime, settings: Settings) -> bool:
    """Refuse beyond the per-resident limits (429); otherwise say whether the resident is a new account."""
    for count, oldest, window, limit, name in (
        (
            activity.last_hour,
            activity.oldest_in_hour,
            HOUR,
            settings.ratings_per_hour,
            "an hour",
        ),
        (
            activity.last_day,
            activity.oldest_in_day,
            DAY,
            settings.ratings_per_day,
            "a day",
        ),
    ):
        if count >= limit:
            retry = int(((oldest or now) + window - now).total_seconds()) + 1
            raise TooManyRequests(
                f"At most {limit} ratings in {name}; try again later. Nothing was saved.",
                retry_after_s=retry,
            )
    if settings.new_account_days == 0:  # the new-account rule is off
        return False
    return activity.first_at is None or activity.first_at > now - timedelta(
        days=settings.new_account_days
    )


def burst_window(settings: Settings) -> timedelta:
    return timedelta(minutes=settings.burst_window_minutes)


def burst_cap(settings: Settings) -> int:
    """How many of a target's most recent ratings in the window the burst rule counts: a bounded read
    however busy the target (a burst shows among the latest ratings)."""
    return 4 * settings.burst_threshold


def may_complete_burst(
    rating: Rating,
    *,
    window_new_accounts: int,
    window_one_network: int,
    replaced: bool,
    settings: Settings,
) -> bool:
    """Whether a new rating may complete a burst, from its target's window as read before it was
    inserted: never less than detect_burst() will count (the new rating, and when it replaced one, the
    rating that may take the replaced one's place among the latest), so only a rating that passes goes
    through detect_burst(), which counts exactly."""
    most = 1 + int(replaced)
    threshold = settings.burst_threshold
    return (rating.new_account and window_new_accounts + most >= threshold) or bool(
        rating.client_network and window_one_network + most >= threshold
    )


async def detect_burst(
    session: AsyncSession, rating: Rating, *, now: datetime, settings: Settings
) -> RatingBurst | None:
    """After `rating` is written (and counted): hold it and its companions when they form a burst. One
    bounded count of the target's latest ratings; the window's ratings are read only when it trips."""
    since = now - burst_window(settings)
    repo = RatingRepository(session)
    # One cheap, bounded count first; the window's ratings are loaded (and locked) only when it trips.
    counts = await repo.recent_matches(
        target_type=rating.target_type,
        target_id=rating.target_id,
        since=since,
        cap=burst_cap(settings),
        network=rating.client_network,
    )
    reasons: list[tuple[str, str | None]] = []
    if rating.new_account and counts.new_accounts >= settings.burst_threshold:
        reasons.append(("new_accounts", None))
    if rating.client_network and counts.one_network >= settings.burst_threshold:
        reasons.append(("one_network", rating.client_network))
    if not reasons:
        return None
    recent = await repo.recent_on_target(
        target_type=rating.target_type, target_id=rating.target_id, since=since
    )
    groups: list[tuple[str, str | None, list[Rating]]] = [
        (
            reason,
            network,
            [
                r
                for r in recent
                if (
                    r.new_account
                    if reason == "new_accounts"
                    else r.client_network == network
                )
            ],
        )
        for reason, network in reasons
    ]
    burst = None
    for reason, network, members in groups:
        if len(members) < settings.burst_threshold:
            continue
        burst = await _open_burst(
            session, rating, reason=reason, network=network, now=now
        )
        aggregates = AggregateRepository(session)
        for r in members:
            if r.status == "visible":
                if r.counted:
                    await aggregates.apply(r, -1)
                r.status = "held"
                r.burst_id = burst.id
        await session.flush()
        burst.rating_count = len([r for r in members if r.burst_id == burst.id])
        break
    return burst


async def _open_burst(
    session: AsyncSession,
    rating: Rating,
    *,
    reason: str,
    network: str | None,
    now: datetime,
) -> RatingBurst:
    stmt = select(RatingBurst).where(
        RatingBurst.target_type == rating.target_type,
        RatingBurst.target_id == rating.target_id,
        RatingBurst.status == "open",
        RatingBurst.reason == reason,
    )
    if network is not None:
        stmt = stmt.where(RatingBurst.client_network == network)
    burst = (await session.execute(stmt.limit(1))).scalar_one_or_none()
    if burst is None:
        burst = RatingBurst(
            target_type=rating.target_type,
            target_id=rating.target_id,
            facility_id=rating.facility_id,
            reason=reason,
            client_network=network,
            rating_count=0,
            status="open",
            detected_at=now,
        )
        session.add(burst)
        await session.flush()
    return burst
