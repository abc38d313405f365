"""What happens to a service offered that other domains react to (activities: their fees)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from facilities_api.signals import Signal


@dataclass(frozen=True, slots=True)
class FeeCapped:
    """Service `service_id` may charge at most `cap_fen` from now on (0: it became basic, or its
    preferential-fee approval ended)."""

    service_id: int
    cap_fen: int
    now: datetime


# A receiver returns the ids of the activities whose fee it lowered.
fee_capped: Signal[FeeCapped, list[int]] = Signal("service.fee_capped")
