"""The events facilities-api publishes (see README: envelope and feed)."""

from facilities_api.db import infra
from service_kit.events.outbox import Outbox

SOURCE = "facilities-api"

EVENT_TYPES: dict[str, str] = {
    "facility.created": "A facility was added to the registry. data: the facility as read.",
    "facility.updated": "A facility's fields changed. data: {facility, changes: {field: [old, new]}}.",
    "facility.status_changed": "A facility opened, closed or was temporarily closed. data: {facility_id, old, new}.",
}

outbox = Outbox(infra, SOURCE)
