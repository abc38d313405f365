import { http } from '../../api/http.js'

export const submitRating = (body, idempotencyKey) =>
  http.post('/ratings', { body, headers: idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {} })

export const myRatings = (query = {}) => http.get('/ratings/mine', { query: { limit: 50, ...query } })

export const listRatings = (query = {}) => http.get('/ratings', { query: { limit: 20, ...query } })

export const ratingSummary = (targetType, targetId, period) =>
  http.get('/ratings/summary', { query: { target_type: targetType, target_id: targetId, period } })

/** The satisfaction index (满意度指数): district figures with the facility ranking (public). */
export const satisfaction = (query = {}) => http.get('/satisfaction', { query })

/** Facilities, operators or subdistricts ranked by the smoothed mean, with Wilson intervals (public). */
export const satisfactionRankings = (by = 'facility', query = {}) => http.get('/satisfaction/rankings', { query: { by, ...query } })

/** One scope's full index: trend, dimensions, complaint figures (officials, auditors, the operator). */
export const satisfactionReport = (query) => http.get('/satisfaction/report', { query })

// -- an operator's public replies to the ratings of its facilities (评价回复) ------------------------
export const facilityRatings = (facilityId, query = {}) => http.get('/ratings', { query: { facility_id: facilityId, limit: 50, ...query } })
export const replyToRating = (id, text) => http.post('/ratings/{rating_id}/reply', { path: { rating_id: id }, body: { text } })
