"""The events feedback-api publishes (see README: envelope and feed). Event data never carries the
resident's identity: the feed is read by officials, auditors, other services and integration clients."""

from feedback_api.db import infra
from service_kit.events.outbox import Outbox

SOURCE = "feedback-api"

EVENT_TYPES: dict[str, str] = {
    "rating.created": (
        "A resident rated a target. data: {id, target_type, target_id, period, overall, dimensions, comment, "
        "created_at, replaces} (replaces: the id of the rating it superseded, or null)."
    ),
    "rating.replaced": (
        "A rating stopped being live because its author rated the same target again in the same period. "
        "data: {id, replaced_by, target_type, target_id, period}."
    ),
}

outbox = Outbox(infra, SOURCE)
