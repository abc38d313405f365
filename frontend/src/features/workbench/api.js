// The officials' workbench (选—用—管—培): every call its pages make, with the OpenAPI's own path
// templates. operators-api owns selections, contracts, inspections, rectifications, evaluations,
// fee applications, service reports and the audit log; feedback-api owns the moderation queue.
import { http } from '../../api/http.js'

const ifMatch = (version) => ({ 'If-Match': `"v${version}"` })

/** Every page of a cursor-paged list (up to `max` items): the workbench filters and exports whole lists. */
export async function allPages(fetchPage, query = {}, max = 2000) {
  const items = []
  let cursor
  do {
    const page = await fetchPage({ ...query, limit: 500, cursor })
    items.push(...page.items)
    cursor = page.next_cursor
  } while (cursor && items.length < max)
  return { items, truncated: Boolean(cursor) }
}

// -- selections (遴选) ----------------------------------------------------------------------------
export const listSelections = (query = {}) => http.get('/selections', { query: { limit: 100, ...query } })
export const getSelection = (id) => http.get('/selections/{selection_id}', { path: { selection_id: id } })
export const createSelection = (body) => http.post('/selections', { body })
/** published, bidding, evaluating (close bidding), failed, cancelled: with the reason. */
export const changeSelectionStatus = (sel, status, reason) =>
  http.post('/selections/{selection_id}/status', { path: { selection_id: sel.id }, headers: ifMatch(sel.version), body: { status, reason } })
export const listBids = (id) => http.get('/selections/{selection_id}/bids', { path: { selection_id: id } })
export const disqualifyBid = (selectionId, bidId, reason) =>
  http.post('/selections/{selection_id}/bids/{bid_id}/disqualification', { path: { selection_id: selectionId, bid_id: bidId }, body: { reason } })
export const listPanel = (id) => http.get('/selections/{selection_id}/panel', { path: { selection_id: id } })
export const addPanelMember = (id, body) => http.post('/selections/{selection_id}/panel', { path: { selection_id: id }, body })
export const declareConflicts = (id, body) => http.post('/selections/{selection_id}/panel/declaration', { path: { selection_id: id }, body })
/** scores: {criterion key: points} for every quality criterion; replaces the caller's earlier sheet. */
export const scoreBid = (selectionId, bidId, scores) =>
  http.request('PUT', '/selections/{selection_id}/bids/{bid_id}/scores', { path: { selection_id: selectionId, bid_id: bidId }, body: { scores } })
export const getRanking = (id) => http.get('/selections/{selection_id}/ranking', { path: { selection_id: id } })
export const awardSelection = (id, body) => http.post('/selections/{selection_id}/award', { path: { selection_id: id }, body })

// -- contracts ------------------------------------------------------------------------------------
export const listContracts = (query = {}) => http.get('/contracts', { query: { limit: 100, ...query } })
export const getContract = (id) => http.get('/contracts/{contract_id}', { path: { contract_id: id } })

// -- inspections and rectifications (督查 / 整改) ---------------------------------------------------
export const inspectionChecklist = () => http.get('/inspections/checklist')
export const listInspections = (query = {}) => http.get('/inspections', { query: { limit: 100, ...query } })
export const recordInspection = (body) => http.post('/inspections', { body })
export const listRectifications = (query = {}) => http.get('/rectifications', { query: { limit: 100, ...query } })
/** decision: accepted | reopened (with an optional new deadline). */
export const reviewRectification = (id, body) => http.post('/rectifications/{rectification_id}/review', { path: { rectification_id: id }, body })
export const withdrawRectification = (id, reason) =>
  http.post('/rectifications/{rectification_id}/withdrawal', { path: { rectification_id: id }, body: { reason } })

// -- evaluations (绩效考核) -------------------------------------------------------------------------
export const listEvaluations = (query = {}) => http.get('/evaluations', { query: { limit: 100, ...query } })
export const runEvaluation = (body) => http.post('/evaluations', { body })
export const setExpertScore = (ev, body) =>
  http.request('PUT', '/evaluations/{evaluation_id}/expert-score', { path: { evaluation_id: ev.id }, headers: ifMatch(ev.version), body })
export const publishEvaluation = (ev, body) =>
  http.post('/evaluations/{evaluation_id}/publish', { path: { evaluation_id: ev.id }, headers: ifMatch(ev.version), body })
/** decision: upheld (with corrections [{input: kpi.<target> | inspection.<id> | expert, value, reason}]:
 *  the revised score is the evaluation recomputed with them) | rejected. */
export const decideAppeal = (id, body) => http.post('/evaluations/{evaluation_id}/appeal/decision', { path: { evaluation_id: id }, body })
/** The evaluation as published and, once an appeal is upheld, as revised: both kept. */
export const evaluationVersions = (id) => http.get('/evaluations/{evaluation_id}/versions', { path: { evaluation_id: id } })

// -- preferential fees (优惠收费) -------------------------------------------------------------------
export const listFeeApplications = (query = {}) => http.get('/fee-applications', { query: { limit: 100, ...query } })
/** decision: approved | rejected. */
export const decideFeeApplication = (id, decision, reason) =>
  http.post('/fee-applications/{application_id}/decision', { path: { application_id: id }, body: { decision, reason } })

// -- basic-service catalogue proposals (facilities-api) -------------------------------------------
/** status: pending | approved | rejected. */
export const listServiceProposals = (query = {}) => http.get('/service-proposals', { query: { limit: 100, ...query } })
/** decision: approve | reject (reject needs the note). */
export function decideServiceProposal(p, decision, note) {
  const opts = { path: { facility_id: p.facility_id, proposal_id: p.id }, body: { note: note || '' } }
  return decision === 'approve'
    ? http.post('/facilities/{facility_id}/service-proposals/{proposal_id}/approve', opts)
    : http.post('/facilities/{facility_id}/service-proposals/{proposal_id}/reject', opts)
}

// -- service reports (服务月报) ---------------------------------------------------------------------
export const listServiceReports = (query = {}) => http.get('/service-reports', { query: { limit: 100, ...query } })
export const crossCheckReport = (id) => http.post('/service-reports/{report_id}/cross-check', { path: { report_id: id } })

// -- accounts (gateway) ----------------------------------------------------------------------------
/** Phone numbers come masked; role filters, phone finds the account of a number (district officials). */
export const listUsers = (query = {}) => http.get('/users', { query: { limit: 100, ...query } })
/** At once: the account's tokens are refused and its refresh tokens revoked. */
export const disableAccount = (id, reason) => http.post('/users/{user_id}/disable', { path: { user_id: id }, body: { reason } })
export const enableAccount = (id, reason) => http.post('/users/{user_id}/enable', { path: { user_id: id }, body: { reason } })

// -- audit log ------------------------------------------------------------------------------------
export const listAuditLog = (query = {}) => http.get('/audit-log', { query: { limit: 100, ...query } })

// -- moderation (feedback-api) --------------------------------------------------------------------
/** kind: comments | held. */
export const moderationQueue = (query = {}) => http.get('/moderation/queue', { query: { limit: 100, ...query } })
/** action: approve_comment | reject_comment | hide | restore. */
export const decideRating = (id, action, note) => http.post('/moderation/ratings/{rating_id}', { path: { rating_id: id }, body: { action, note: note || null } })
export const listBursts = (query = {}) => http.get('/moderation/bursts', { query: { limit: 100, ...query } })
/** decision: release | hide. */
export const decideBurst = (id, decision, note) => http.post('/moderation/bursts/{burst_id}', { path: { burst_id: id }, body: { decision, note: note || null } })
