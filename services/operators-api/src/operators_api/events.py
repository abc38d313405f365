"""The events operators-api publishes (see README: envelope, feed, and which other services read them)."""

from operators_api.db import infra
from service_kit.events.outbox import Outbox

SOURCE = "operators-api"

EVENT_TYPES: dict[str, str] = {
    # operators
    "operator.registered": "An operator (承接主体) was registered. data: the operator as the public reads it (contacts masked).",
    "operator.updated": (
        "An operator's fields changed. data: {operator, changes: {field: [old, new]}}, contacts masked as for the public."
    ),
    "operator.status_changed": (
        "An operator was qualified, suspended or blacklisted. data: {operator_id, code, old, new, reason}."
    ),
    "credit.recorded": "An entry was added to an operator's credit record. data: {operator_id, kind, points, description, source_type, source_id}.",
    # selections
    "selection.status_changed": "A selection was published, opened for bids, closed (evaluating) or cancelled. data: {selection_id, reference, old, new, reason}.",
    "selection.awarded": "A selection was awarded. data: {selection_id, reference, bid_id, operator_id, rank, total, price_fen, reason}.",
    "selection.failed": "A selection failed (too few valid bids, or declared failed). data: {selection_id, reference, reason}.",
    # contracts (facilities-api reads contract.started and contract.ended)
    "contract.started": (
        "A contract became active: its operator now runs its facilities. Emitted on activation, even before starts_on. "
        "data: {contract_id, operator_id, operator_name, facility_ids, starts_on, ends_on}."
    ),
    "contract.suspended": "A contract was suspended; the operator keeps the facilities. data: {contract_id, operator_id, facility_ids, reason}.",
    "contract.resumed": "A suspended contract runs again. data: {contract_id, operator_id, facility_ids, reason}.",
    "contract.ended": (
        "A contract was terminated or expired: its facilities go back to government operation, its fee approvals expire "
        "(fee.expired in the same transaction). data: {contract_id, operator_id, facility_ids, reason: terminated|expired, detail, ended_on, "
        "expired_fee_application_ids}."
    ),
    "contract.renewed": "A renewal (a new draft contract) was drawn up. data: {contract_id, renewal_contract_id, operator_id, reason}.",
    "contract.termination_proposed": "Consecutive failed evaluations: termination is proposed. data: {contract_id, operator_id, evaluation_ids, reason}.",
    "contract.instalment_adjusted": "An evaluation's grade adjusted the linked instalment. data: {contract_id, seq, evaluation_id, grade, percent, amount_fen, adjusted_amount_fen}.",
    "contract.instalment_paid": "An instalment was paid. data: {contract_id, seq, paid_on, amount_fen}.",
    # fees (facilities-api reads fee.approved, fee.revoked, fee.expired)
    "fee.guideline_changed": "The preferential-fee guideline changed. data: the guideline.",
    "fee.submitted": "An operator applied for a preferential fee. data: {application_id, operator_id, contract_id, facility_id, service_id, proposed_fee_fen}.",
    "fee.approved": (
        "A preferential fee was approved: facilities-api may publish it. "
        "data: {application_id, operator_id, contract_id, facility_id, service_id, approved_fee_fen, expires_on}."
    ),
    "fee.rejected": "A preferential-fee application was rejected. data: {application_id, operator_id, reason}.",
    "fee.revoked": "An approval was revoked. data: {application_id, facility_id, service_id, reason}.",
    "fee.expired": "An approval ended with its contract. data: {application_id, facility_id, service_id}.",
    # management
    "service_report.filed": "An operator filed a monthly service report. data: {report_id, contract_id, operator_id, month, flagged}.",
    "inspection.recorded": "An inspection was recorded. data: {inspection_id, contract_id, operator_id, facility_id, inspected_on, announced, score}.",
    "rectification.ordered": "A rectification was ordered. data: {rectification_id, contract_id, operator_id, facility_id, source, finding, deadline_on}.",
    "rectification.responded": "The operator reported on a rectification. data: {rectification_id, operator_id, late}.",
    "rectification.accepted": "A rectification was accepted. data: {rectification_id, operator_id, reason}.",
    "rectification.reopened": "A rectification was reopened. data: {rectification_id, operator_id, reason}.",
    "rectification.withdrawn": "A rectification was withdrawn (its cause fell away). data: {rectification_id, operator_id, reason}.",
    "evaluation.published": "An evaluation was published. data: {evaluation_id, contract_id, operator_id, period, score, grade, reweighted, consequences}.",
    "evaluation.revised": "An upheld appeal revised an evaluation. data: {evaluation_id, contract_id, operator_id, period, score, grade, previous_grade, consequences}.",
    "appeal.submitted": "An operator appealed an evaluation. data: {appeal_id, evaluation_id, operator_id}.",
    "appeal.decided": "An appeal was upheld or rejected. data: {appeal_id, evaluation_id, operator_id, decision, reason}.",
    # cultivation
    "training.created": "A training programme was set up. data: {programme_id, title, audience, starts_on}.",
    "training.completed": "A training programme was closed. data: {programme_id, completed, enrolled}.",
    "incubation.graduated": "An incubated organisation graduated. data: {incubation_id, organisation_name, reason}.",
    "incubation.withdrawn": "An incubation ended early. data: {incubation_id, organisation_name, reason}.",
    "volunteer.recognised": "A volunteer's verified hours crossed a recognition threshold. data: {volunteer_id, team_id, level, hours, threshold_hours}.",
}

outbox = Outbox(infra, SOURCE)
