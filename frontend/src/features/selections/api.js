// Selections (遴选, operators-api): officials draft, publish, score and award; operators bid.
import { http } from '../../api/http.js'

const ifMatch = (version) => ({ 'If-Match': `"v${version}"` })
const once = (key) => (key ? { 'Idempotency-Key': key } : {})

export const listSelections = (query = {}) => http.get('/selections', { query: { limit: 100, ...query } })
export const getSelection = (id) => http.get('/selections/{selection_id}', { path: { selection_id: id } })
export const createSelection = (body) => http.post('/selections', { body })
/** published, bidding, evaluating (close bidding), failed, cancelled: with the reason. */
export const changeSelectionStatus = (sel, status, reason) =>
  http.post('/selections/{selection_id}/status', { path: { selection_id: sel.id }, headers: ifMatch(sel.version), body: { status, reason } })

// -- bids (投标) ------------------------------------------------------------------------------------
export const listBids = (id) => http.get('/selections/{selection_id}/bids', { path: { selection_id: id } })
/** body: {price_fen, proposal_summary, documents: [{title, url}]} (an operator's staff). */
export const submitBid = (selectionId, body, idempotencyKey) =>
  http.post('/selections/{selection_id}/bids', { path: { selection_id: selectionId }, body, headers: once(idempotencyKey) })
export const withdrawBid = (selectionId, bidId, reason) =>
  http.post('/selections/{selection_id}/bids/{bid_id}/withdrawal', { path: { selection_id: selectionId, bid_id: bidId }, body: { reason } })
export const disqualifyBid = (selectionId, bidId, reason) =>
  http.post('/selections/{selection_id}/bids/{bid_id}/disqualification', { path: { selection_id: selectionId, bid_id: bidId }, body: { reason } })

// -- the panel, score sheets, ranking and award (评审) ----------------------------------------------
export const listPanel = (id) => http.get('/selections/{selection_id}/panel', { path: { selection_id: id } })
export const addPanelMember = (id, body) => http.post('/selections/{selection_id}/panel', { path: { selection_id: id }, body })
export const declareConflicts = (id, body) => http.post('/selections/{selection_id}/panel/declaration', { path: { selection_id: id }, body })
/** scores: {criterion key: points} for every quality criterion; replaces the caller's earlier sheet. */
export const scoreBid = (selectionId, bidId, scores) =>
  http.request('PUT', '/selections/{selection_id}/bids/{bid_id}/scores', { path: { selection_id: selectionId, bid_id: bidId }, body: { scores } })
export const getRanking = (id) => http.get('/selections/{selection_id}/ranking', { path: { selection_id: id } })
export const awardSelection = (id, body) => http.post('/selections/{selection_id}/award', { path: { selection_id: id }, body })
