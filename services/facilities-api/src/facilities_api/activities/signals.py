"""What happens to an activity that other domains react to (bookings: the waitlist, cancellations)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from facilities_api.activities.models import Activity
from facilities_api.signals import Announce, Signal


@dataclass(frozen=True, slots=True)
class SeatsAdded:
    """A published activity's capacity grew (the activity is locked and flushed)."""

    activity: Activity
    now: datetime


@dataclass(frozen=True, slots=True)
class ActivityCancelled:
    """A published activity was cancelled (locked and flushed) by `actor`."""

    activity: Activity
    actor: str
    now: datetime


# A receiver returns how to announce what it did: the sender records its own event first.
seats_added: Signal[SeatsAdded, Announce] = Signal("activity.seats_added")
# A receiver returns how many bookings it cancelled, by their former status.
activity_cancelled: Signal[ActivityCancelled, dict[str, int]] = Signal("activity.cancelled")
