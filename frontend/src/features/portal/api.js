// The operator portal's calls (承接主体工作台): monthly reports, rectifications, bids, fee
// applications, evaluations and appeals, replies to ratings, training and volunteers. Every one is
// an operators-api or feedback-api operation an operator's staff may call; the API decides the rest.
import { http } from '../../api/http.js'

const page = (query) => ({ query: { limit: 100, ...query } })
const once = (key) => (key ? { 'Idempotency-Key': key } : {})

// -- monthly service reports (服务月报) ------------------------------------------------------------
export const listReports = (query = {}) => http.get('/service-reports', page(query))
export const getReport = (id) => http.get('/service-reports/{report_id}', { path: { report_id: id } })
/** body: {contract_id, month: 'YYYY-MM', lines: [{facility_id, open_hours, activities, participants, special_group_services, incidents, notes}], summary} */
export const fileReport = (body) => http.post('/service-reports', { body })
export const recheckReport = (id) => http.post('/service-reports/{report_id}/cross-check', { path: { report_id: id } })
/** What the platform recorded at one facility over [from, to] (local days): the figures a report is checked against. */
export const facilityFigures = (facilityId, from, to) => http.get('/stats/operations', { query: { facility_id: facilityId, from, to } })

// -- rectifications (整改) -------------------------------------------------------------------------
export const listRectifications = (query = {}) => http.get('/rectifications', page(query))
/** body: {response, documents: [{title, url}]} */
export const respondRectification = (id, body) =>
  http.post('/rectifications/{rectification_id}/response', { path: { rectification_id: id }, body })

// -- selections and bids (遴选、投标) ---------------------------------------------------------------
export const listSelections = (query = {}) => http.get('/selections', page(query))
export const listBids = (selectionId) => http.get('/selections/{selection_id}/bids', { path: { selection_id: selectionId } })
/** body: {price_fen, proposal_summary, documents: [{title, url}]} */
export const submitBid = (selectionId, body, idempotencyKey) =>
  http.post('/selections/{selection_id}/bids', { path: { selection_id: selectionId }, body, headers: once(idempotencyKey) })
export const withdrawBid = (selectionId, bidId, reason) =>
  http.post('/selections/{selection_id}/bids/{bid_id}/withdrawal', { path: { selection_id: selectionId, bid_id: bidId }, body: { reason } })

// -- preferential-fee applications (优惠收费) -------------------------------------------------------
export const listFeeApplications = (query = {}) => http.get('/fee-applications', page(query))
export const feeGuideline = () => http.get('/fee-applications/guideline')
/** body: {contract_id, facility_id, service_id, market_price_fen, proposed_fee_fen, special_group_free_percent, special_group_fee_fen, justification} */
export const applyForFee = (body) => http.post('/fee-applications', { body })
export const withdrawFeeApplication = (id, reason) =>
  http.post('/fee-applications/{application_id}/withdrawal', { path: { application_id: id }, body: { reason } })
// -- the basic-service catalogue: the bureau's; we propose, a district official decides ------------
export const facilityProposals = (facilityId, query = {}) =>
  http.get('/facilities/{facility_id}/service-proposals', { path: { facility_id: facilityId }, ...page(query) })
/** service_id: the service to change (none: add one); only the fields that change, and the reason. */
export const proposeService = (facilityId, body) => http.post('/facilities/{facility_id}/service-proposals', { path: { facility_id: facilityId }, body })
export const facilityServices = (facilityId) => http.get('/facilities/{facility_id}/services', { path: { facility_id: facilityId } })

// -- evaluations and appeals (考核、申诉) ------------------------------------------------------------
export const listEvaluations = (query = {}) => http.get('/evaluations', page(query))
/** Our published evaluations, newest period first, each with its appeal. */
export async function listEvaluationsWithAppeals(query = {}) {
  const list = await listEvaluations(query)
  const items = [...list.items].sort((a, b) => b.period_end_on.localeCompare(a.period_end_on) || b.id - a.id)
  return { ...list, items }
}
/** documents: [{title, url}], the evidence the appeal rests on. */
export const fileAppeal = (id, reason, documents = []) =>
  http.post('/evaluations/{evaluation_id}/appeal', { path: { evaluation_id: id }, body: { reason, documents } })

// -- ratings of our facilities (评价回复, feedback-api) ----------------------------------------------
export const facilityRatings = (facilityId, query = {}) => http.get('/ratings', { query: { facility_id: facilityId, limit: 50, ...query } })
export const replyToRating = (id, text) => http.post('/ratings/{rating_id}/reply', { path: { rating_id: id }, body: { text } })

// -- training (培训) ---------------------------------------------------------------------------------
export const listTrainings = (query = {}) => http.get('/trainings', page(query))
/** An operator's staff see their own people's enrolments. */
export const listEnrolments = (programmeId) => http.get('/trainings/{programme_id}/enrolments', { path: { programme_id: programmeId } })
/** body: {participant_name, organisation_name} (the operator is always the caller's). */
export const enrol = (programmeId, body) => http.post('/trainings/{programme_id}/enrolments', { path: { programme_id: programmeId }, body })

// -- volunteers (文化志愿者) ---------------------------------------------------------------------------
export const listTeams = (operatorId) => http.get('/volunteer-teams', page({ operator_id: operatorId }))
/** body: {name, facility_id?, leader_name, founded_on, description} */
export const createTeam = (body) => http.post('/volunteer-teams', { body })
export const listVolunteers = (teamId) => http.get('/volunteers', page({ team_id: teamId }))
/** body: {name, phone, joined_on} */
export const addVolunteer = (teamId, body) => http.post('/volunteer-teams/{team_id}/members', { path: { team_id: teamId }, body })
export const serviceRecords = (volunteerId) =>
  http.get('/volunteers/{volunteer_id}/service-records', { path: { volunteer_id: volunteerId } })
/** body: {facility_id, served_on, hours, activity} */
export const recordService = (volunteerId, body) =>
  http.post('/volunteers/{volunteer_id}/service-records', { path: { volunteer_id: volunteerId }, body })
/** body: {decision: 'verified' | 'rejected', reason} */
export const verifyService = (volunteerId, recordId, body) =>
  http.post('/volunteers/{volunteer_id}/service-records/{record_id}/verification', { path: { volunteer_id: volunteerId, record_id: recordId }, body })
