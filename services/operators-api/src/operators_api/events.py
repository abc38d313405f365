"""The events operators-api publishes (see README: envelope and feed)."""

from operators_api.db import infra
from service_kit.events.outbox import Outbox

SOURCE = "operators-api"

EVENT_TYPES: dict[str, str] = {
    "operator.registered": "An operator (承接主体) was registered. data: the operator as the public reads it (contacts masked).",
    "operator.updated": (
        "An operator's fields changed. data: {operator, changes: {field: [old, new]}}, contacts masked as for the public."
    ),
    "operator.status_changed": (
        "An operator was qualified, suspended or blacklisted. data: {operator_id, code, old, new, reason}."
    ),
}

outbox = Outbox(infra, SOURCE)
