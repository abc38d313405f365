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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from feedback_api.exceptions import TooManyRequests
from feedback_api.moderation.models import RatingBurst
from feedback_api.ratings.models import Rating
from feedback_api.ratings.repository import RatingRepository
from feedback_api.satisfaction.repository import AggregateRepository
from feedback_api.settings import Settings
from service_kit.clock import as_aware

if TYPE_CHECKING:
    from feedback_api.ratings.stores import WriteStore


@dataclass(frozen=True, slots=True)
class Activity:
    """A resident's ratings as the limits see them."""

    last_hour: int = 0
    last_day: int = 0
    first_at: datetime | None = None
    oldest_in_hour: datetime | None = None
    oldest_in_day: datetime | None = None

    @classmethod
    def of(cls, row: Any) -> Activity:
        """From a row of the activity query, by column name (None: no rating yet)."""
        if row is None:
            return cls()
        return cls(
            row["last_hour"],
            row["last_day"],
            as_aware(row["first_at"]),
            as_aware(row["oldest_in_hour"]),
            as_aware(row["oldest_in_day"]),
        )

    def plus(self, moments: list[datetime], *, now: datetime) -> Activity:
        """With the resident's ratings accepted earlier in the same batch (not in the database yet)."""
        if not moments:
            return self
        in_hour = [m for m in moments if m >= now - HOUR]
        in_day = [m for m in moments if m >= now - DAY]
        return Activity(
            self.last_hour + len(in_hour),
            self.last_day + len(in_day),
            _earliest(self.first_at, *moments),
            _earliest(self.oldest_in_hour, *in_hour),
            _earliest(self.oldest_in_day, *in_day),
        )


HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def _earliest(*moments: datetime | None) -> datetime | None:
    present = [m for m in moments if m is not None]
    return min(present) if present else None


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


def check_limits_many(
    activity: Mapping[str, Mapping[str, Any]],
    wanted: list[tuple[str, datetime]],
    *,
    settings: Settings,
) -> list[bool | TooManyRequests]:
    """The per-resident limits for a batch of (resident, moment), in order, from the residents' activity
    read at once (WriteStore.read, windows from the batch's earliest moment, so they reach at most the
    batch's span further back): a resident's earlier ratings in the same batch count too. Each gets its
    new-account flag or its own 429."""
    accepted: dict[str, list[datetime]] = {}
    out: list[bool | TooManyRequests] = []
    for sub, now in wanted:
        resident = Activity.of(activity.get(sub)).plus(accepted.get(sub, []), now=now)
        try:
            out.append(judge(resident, now=now, settings=settings))
        except TooManyRequests as refused:
            out.append(refused)
            continue
        accepted.setdefault(sub, []).append(now)
    return out


def burst_window(settings: Settings) -> timedelta:
    return timedelta(minutes=settings.burst_window_minutes)


def burst_cap(settings: Settings) -> int:
    """How many of a target's most recent ratings in the window the burst rule counts: a bounded read
    however busy the target (a burst shows among the latest ratings)."""
    return 4 * settings.burst_threshold


async def hold_bursts(
    store: WriteStore,
    window: Sequence[Mapping[str, Any]],
    ratings: list[Any],
    retired: list[Any],
    *,
    since: datetime,
    settings: Settings,
) -> None:
    """After new ratings are inserted (and counted): the burst window of their targets as read before the
    insert (WriteStore.read: of each target's burst_cap() most recent ratings since `since`, per network
    `n` and `new_accounts`), less the live ratings the batch `retired` (unless the target's read was cut at
    the cap: the retired one may not be among those counted), plus the new ones. This never counts less
    than detect_burst() would; only a rating that may complete a burst goes through it (the store's
    hold_suspects), which decides exactly (and holds the burst's ratings)."""
    if not ratings:
        return
    new_accounts: dict[tuple[str, int], int] = {}
    one_network: dict[tuple[str, int, str | None], int] = {}

    def tally(
        target: tuple[str, int], network: str | None, n: int, from_new_accounts: int
    ) -> None:
        new_accounts[target] = new_accounts.get(target, 0) + from_new_accounts
        one_network[(*target, network)] = one_network.get((*target, network), 0) + n

    read: dict[tuple[str, int], int] = {}
    for row in window:
        target = (row["target_type"], row["target_id"])
        tally(target, row["client_network"], row["n"], row["new_accounts"])
        read[target] = read.get(target, 0) + row["n"]
    cap = burst_cap(settings)
    for r in retired:
        target = (r.target_type, r.target_id)
        if (
            read.get(target, 0) < cap
            and as_aware(r.created_at) >= since
            and r.status != "hidden"
        ):
            tally(target, r.client_network, -1, -int(r.new_account))
    for r in ratings:
        tally((r.target_type, r.target_id), r.client_network, 1, int(r.new_account))
    threshold = settings.burst_threshold
    suspects = [
        r
        for r in ratings
        if (
            r.new_account
            and new_accounts.get((r.target_type, r.target_id), 0) >= threshold
        )
        or (
            r.client_network
            and one_network.get((r.target_type, r.target_id, r.client_network), 0)
            >= threshold
        )
    ]
    if suspects:
        await store.hold_suspects(suspects, ratings, settings=settings)


async def hold_suspects(
    session: AsyncSession,
    suspects: list[Any],
    ratings: list[Any],
    *,
    settings: Settings,
) -> None:
    """detect_burst() for each suspect; then the new ratings' `status` is brought up to date."""
    for r in suspects:
        await detect_burst(session, r, now=r.created_at, settings=settings)
    tripped = {(r.target_type, r.target_id) for r in suspects}
    affected = [r for r in ratings if (r.target_type, r.target_id) in tripped]
    statuses = await RatingRepository(session).statuses([r.id for r in affected])
    for r in affected:
        r.status, r.burst_id = statuses[r.id]


async def detect_burst(
    session: AsyncSession, rating: Any, *, now: datetime, settings: Settings
) -> RatingBurst | None:
    """After `rating` (a Rating, or the writer's plain NewRating) is written: hold it (and its companions)
    when they form a burst."""
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
    rating: Any,
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
