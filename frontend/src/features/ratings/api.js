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
