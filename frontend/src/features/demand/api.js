import { http } from '../../api/http.js'

/** 订单式: a resident asks for a kind of service at a place and time. */
export const fileDemand = (body, idempotencyKey) =>
  http.post('/demands', { body, headers: idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {} })

export const listDemands = (query = {}) => http.get('/demands', { query: { limit: 50, ...query } })

export const demandStats = (query = {}) => http.get('/demands/stats', { query })

/** 菜单式: officials publish a menu; residents vote within the round's limit. */
export const listMenuRounds = (query = {}) => http.get('/menu-rounds', { query: { limit: 20, ...query } })

export const vote = (roundId, itemId) =>
  http.post('/menu-rounds/{round_id}/votes', { path: { round_id: roundId }, body: { item_id: itemId } })

export const withdrawVote = (roundId, itemId) =>
  http.delete('/menu-rounds/{round_id}/votes/{item_id}', { path: { round_id: roundId, item_id: itemId } })
