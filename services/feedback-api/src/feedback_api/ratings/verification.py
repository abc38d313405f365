"""A check-in verifies ratings: the resident's ratings of the activity checked in to, of its facility and
of the facility's services are marked verified, and the counted ones move into the verified figures of
their aggregates. Ratings made after the check-in are verified when they are saved."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from feedback_api.operations.models import Checkin
from feedback_api.operations.service import record_checkin
from feedback_api.ratings.aggregates import AggregateRepository
from feedback_api.ratings.models import Rating


async def on_checkin(session: AsyncSession, event: dict[str, Any]) -> None:
    """`checkin.recorded`: store the check-in, then verify the ratings it verifies (a replayed event
    changes nothing more)."""
    checkin = await record_checkin(session, event)
    if checkin is not None:
        await verify_ratings(session, checkin)


async def verify_ratings(session: AsyncSession, checkin: Checkin) -> list[int]:
    """Mark the resident's matching ratings verified, and move the counted ones into the verified figures."""
    ratings = await unverified_ratings(session, checkin)
    aggregates = AggregateRepository(session)
    for r in ratings:
        r.verified = True
        if r.counted:
            await aggregates.apply(r, 1, verified_only=True)
    await session.flush()
    return [r.id for r in ratings]


async def unverified_ratings(
    session: AsyncSession, checkin: Checkin
) -> Sequence[Rating]:
    """The resident's ratings that this check-in verifies, locked for the update."""
    stmt = (
        select(Rating)
        .where(
            Rating.resident_sub == checkin.resident_sub,
            Rating.verified.is_(False),
            or_(
                (Rating.target_type == "activity")
                & (Rating.target_id == checkin.activity_id),
                (Rating.target_type.in_(("facility", "service")))
                & (Rating.facility_id == checkin.facility_id),
            ),
        )
        .with_for_update()
    )
    return (await session.execute(stmt)).scalars().all()
