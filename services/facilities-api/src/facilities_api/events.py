"""The events facilities-api publishes (see README: envelope, feed and the data of each type)."""

from facilities_api.db import infra
from service_kit.events.outbox import Outbox

SOURCE = "facilities-api"

EVENT_TYPES: dict[str, str] = {
    "facility.created": "A facility was added to the registry. data: the facility as read.",
    "facility.updated": "A facility's fields changed. data: {facility, changes: {field: [old, new]}}.",
    "facility.status_changed": "A facility opened, closed or was temporarily closed. data: {facility_id, old, new}.",
    "facility.operator_changed": (
        "Who runs a facility changed (a contract started or ended in operators-api). "
        "data: {facility_id, operation: {mode, operator_id, contract_id}, previous: {...}, reason}."
    ),
    "facility.hours_changed": (
        "An opening exception (holiday, closure, other hours) was added or removed. "
        "data: {facility_id, action, exception}."
    ),
    "service.created": "A facility offers a new service. data: the service as read.",
    "service.updated": "A service offered changed. data: {service, changes: {field: [old, new]}}.",
    "service.proposed": (
        "A change to a facility's catalogue of services was proposed (a new service, or a change to one: basic or not, "
        "name, description). data: the proposal as read {id, facility_id, service_id, kind, changes, reason, status, "
        "proposed_by, proposer_operator_id, ...}."
    ),
    "service.proposal_decided": "A district official approved or rejected a proposal. data: the proposal as read.",
    "service.basic_changed": (
        "A service became basic (always free) or stopped being basic, by a district official's decision. "
        "data: {facility_id, service_id, basic, previous, decided_by, proposal_id, at, activity_ids (fees set to 0)}."
    ),
    "service.fee_approved": (
        "A preferential-fee approval arrived from operators-api: the service may charge up to the cap. "
        "data: {application_id, facility_id, service_id, approved_fee_fen, expires_on}."
    ),
    "service.fee_changed": (
        "A fee approval was revoked or expired: the service's fee (and its upcoming activities') went back to 0. "
        "data: {application_id, facility_id, service_id, old_fee_fen, new_fee_fen, reason, activity_ids}."
    ),
    "activity.published": "An activity was published. data: the activity as read.",
    "activity.updated": "A published activity changed. data: {activity, changes: {field: [old, new]}}.",
    "activity.cancelled": "An activity was cancelled. data: {activity_id, facility_id, reason, bookings}.",
    "booking.created": (
        "A resident booked. data: {booking_id, activity_id, facility_id, resident_sub, seats, status "
        "(confirmed or waitlisted), created_at}."
    ),
    "booking.promoted": "A waitlisted booking got seats. data: {booking_id, activity_id, facility_id, resident_sub, seats}.",
    "booking.cancelled": (
        "A booking was cancelled. data: {booking_id, activity_id, facility_id, resident_sub, seats, was, reason "
        "(resident, official or activity_cancelled), note (with activity_cancelled: the activity's reason)}."
    ),
    "checkin.recorded": (
        "A resident was checked in at an activity (the platform's attendance record). "
        "data: {booking_id, activity_id, facility_id, resident_sub, checked_in_at}."
    ),
    "special_request.submitted": (
        "A special-group resident asked for an appointment or home delivery. "
        "data: {request_id, facility_id, kind, status} (no personal data, nor the special group)."
    ),
    "special_request.status_changed": (
        "A special-group request moved on. data: {request_id, facility_id, old, new, assigned_operator_id} "
        "(no personal data)."
    ),
}

outbox = Outbox(infra, SOURCE)
