"""What a rating or a case is about, checked with facilities-api before anything is written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from feedback_api.clients.facilities import (
    ActivityRef,
    FacilitiesClient,
    FacilitiesUnavailable,
    FacilityRef,
)
from feedback_api.exceptions import TargetCheckUnavailable, TargetNotFound
from service_kit.problems import RuleViolation


@dataclass(frozen=True, slots=True)
class Target:
    target_type: str
    target_id: int
    facility: FacilityRef
    activity: ActivityRef | None = None


async def resolve(
    facilities: FacilitiesClient,
    *,
    target_type: str,
    target_id: int,
    facility_id: int | None,
    now: datetime,
    for_rating: bool = True,
) -> Target:
    """The target and the facility it belongs to. A service is named with its facility (facility_id);
    an activity must have begun (and not be cancelled) to be rated."""
    try:
        if target_type == "facility":
            facility = await facilities.get_facility(target_id)
            if facility is None:
                raise TargetNotFound("facility", target_id)
            return Target(target_type, target_id, facility)
        if target_type == "activity":
            activity = await facilities.get_activity(target_id)
            if activity is None:
                raise TargetNotFound("activity", target_id)
            if for_rating:
                if activity.status in ("cancelled", "draft"):
                    raise RuleViolation(
                        "target_id",
                        f"activity {target_id} is {activity.status}: it cannot be rated",
                        code="activity-not-held",
                    )
                if activity.starts_at is not None and activity.starts_at > now:
                    raise RuleViolation(
                        "target_id",
                        f"activity {target_id} has not begun yet: rate it once you took part",
                        code="activity-not-held",
                    )
            facility = await facilities.get_facility(activity.facility_id)
            if facility is None:
                raise TargetNotFound("facility", activity.facility_id)
            return Target(target_type, target_id, facility, activity)
        if target_type == "service":
            if facility_id is None:
                raise RuleViolation(
                    "facility_id",
                    "a service is named with its facility: send facility_id",
                    code="facility-required",
                )
            services = await facilities.get_services(facility_id)
            if services is None:
                raise TargetNotFound("facility", facility_id, field="facility_id")
            if not any(s.id == target_id for s in services):
                raise TargetNotFound("service", target_id)
            facility = await facilities.get_facility(facility_id)
            if facility is None:
                raise TargetNotFound("facility", facility_id, field="facility_id")
            return Target(target_type, target_id, facility)
    except FacilitiesUnavailable as exc:
        raise TargetCheckUnavailable("facilities-api") from exc
    raise AssertionError(
        f"unchecked target type {target_type}"
    )  # the schemas admit only these
