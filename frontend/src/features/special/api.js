import { http } from '../../api/http.js'

const at = (id) => ({ path: { request_id: id } })

export const createSpecialRequest = (body, idempotencyKey) =>
  http.post('/special-requests', { body, headers: idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {} })

export const listSpecialRequests = (query = {}) => http.get('/special-requests', { query: { limit: 50, ...query } })

export const getSpecialRequest = (id) => http.get('/special-requests/{request_id}', at(id))
export const withdrawSpecialRequest = (id) => http.post('/special-requests/{request_id}/cancel', at(id))
export const confirmSpecialRequest = (id) => http.post('/special-requests/{request_id}/confirm', at(id))
export const verifySpecialRequest = (id) => http.post('/special-requests/{request_id}/verify', at(id))
export const assignSpecialRequest = (id, body) => http.post('/special-requests/{request_id}/assign', { ...at(id), body })
export const scheduleSpecialRequest = (id, body) => http.post('/special-requests/{request_id}/schedule', { ...at(id), body })
export const completeSpecialRequest = (id, note = '') =>
  http.post('/special-requests/{request_id}/complete', { ...at(id), body: { note } })
export const rejectSpecialRequest = (id, reason) => http.post('/special-requests/{request_id}/reject', { ...at(id), body: { reason } })
