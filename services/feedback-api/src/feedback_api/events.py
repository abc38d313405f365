"""The events feedback-api publishes (see README: envelope, feed and the data of each type). Event data
never carries a resident's identity or contact: the feed is read by officials, auditors, other services
and integration clients."""

from feedback_api.db import infra
from service_kit.events.outbox import Outbox

SOURCE = "feedback-api"

EVENT_TYPES: dict[str, str] = {
    "rating.created": (
        "A resident rated a facility, an activity or a service. data: {id, target_type, target_id, facility_id, operator_id, "
        "period, overall, dimensions, comment (null until moderated), comment_status, status, verified, created_at, replaces}."
    ),
    "rating.replaced": (
        "A rating stopped being live because its author rated the same target again in the same period. "
        "data: {id, replaced_by, target_type, target_id, period}."
    ),
    "rating.hidden": (
        "An official hid a rating (moderation, or a reviewed burst): it left the public lists and the index. "
        "data: {id, target_type, target_id, facility_id, period, reason}."
    ),
    "rating.replied": "The operator replied publicly to a rating. data: {id, operator_id, text, replied_at}.",
    "case.submitted": (
        "A case was filed (app or Open311). data: {id, kind, category, status, facility_id, subdistrict, operator_id, "
        "assignee, due_at, source}."
    ),
    "case.status_changed": "A case moved in its workflow. data: the case as in case.submitted, plus {action, from, to}.",
    "case.escalated": (
        "An operator missed a case's deadline; the case went to an official. data: the case, plus {missed_due_at, from_operator_id}."
    ),
    "case.answer_rated": "The resident rated the answer to a case. data: {id, answer_rating, operator_id, facility_id}.",
    "demand.submitted": "A demand request was filed. data: {id, requester, category, subdistrict, community, facility_id, period}.",
    "demand.answered": (
        "Officials answered a demand request. data: {id, from, to (planned, declined, delivered), note, activity_id, "
        "category, subdistrict, community}."
    ),
    "demand.reopened": (
        "The activity that delivered a demand request was cancelled: the request is open again (planned). "
        "data: {id, from (delivered), to, activity_id, reason, category, subdistrict, community}."
    ),
    "menu_round.results_published": (
        "The results of a menu round, for planning. data: {id, title, subdistrict, offer_from, offer_to, "
        "results: [{item_id, title, category, facility_id, votes, rank}]}."
    ),
}

outbox = Outbox(infra, SOURCE)
