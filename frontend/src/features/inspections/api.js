// Inspections and the rectifications they order (督查 / 整改, operators-api): officials inspect and
// review; an operator's staff answer with evidence.
import { http } from '../../api/http.js'

export const inspectionChecklist = () => http.get('/inspections/checklist')
export const listInspections = (query = {}) => http.get('/inspections', { query: { limit: 100, ...query } })
export const recordInspection = (body) => http.post('/inspections', { body })

// -- rectifications (整改) -------------------------------------------------------------------------
export const listRectifications = (query = {}) => http.get('/rectifications', { query: { limit: 100, ...query } })
/** body: {response, documents: [{title, url}]} (an operator's staff). */
export const respondRectification = (id, body) =>
  http.post('/rectifications/{rectification_id}/response', { path: { rectification_id: id }, body })
/** decision: accepted | reopened (with an optional new deadline). */
export const reviewRectification = (id, body) => http.post('/rectifications/{rectification_id}/review', { path: { rectification_id: id }, body })
export const withdrawRectification = (id, reason) =>
  http.post('/rectifications/{rectification_id}/withdrawal', { path: { rectification_id: id }, body: { reason } })
