import { http } from '../../api/http.js'

/** Case transitions need If-Match: the case's ETag, `"v<version>"`. */
const ifMatch = (c) => ({ 'If-Match': `"v${c.version}"` })
const at = (c) => ({ path: { case_id: c.id }, headers: ifMatch(c) })

export const caseCategories = () => http.get('/cases/categories')

export const fileCase = (body, idempotencyKey) =>
  http.post('/cases', { body, headers: idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {} })

/** Cases the caller may see: a resident's own, an operator's assigned ones, officials' of their area. */
export const listCases = (query = {}) => http.get('/cases', { query: { limit: 50, ...query } })

export const getCase = (id) => http.get('/cases/{case_id}', { path: { case_id: id } })

export const acceptCase = (c, note) => http.post('/cases/{case_id}/accept', { ...at(c), body: note ? { note } : null })
export const respondCase = (c, text) => http.post('/cases/{case_id}/respond', { ...at(c), body: { text } })
export const confirmCase = (c, answerRating) =>
  http.post('/cases/{case_id}/confirm', { ...at(c), body: answerRating ? { answer_rating: answerRating } : null })
export const reopenCase = (c, reason) => http.post('/cases/{case_id}/reopen', { ...at(c), body: { reason } })
export const closeCase = (c, note) => http.post('/cases/{case_id}/close', { ...at(c), body: note ? { note } : null })
