// Evaluations and appeals (绩效考核、申诉, operators-api): officials run, score and publish them and
// decide appeals; an operator's staff read theirs and appeal.
import { http } from '../../api/http.js'

const ifMatch = (version) => ({ 'If-Match': `"v${version}"` })

export const listEvaluations = (query = {}) => http.get('/evaluations', { query: { limit: 100, ...query } })
/** Our published evaluations, newest period first, each with its appeal. */
export async function listEvaluationsWithAppeals(query = {}) {
  const list = await listEvaluations(query)
  const items = [...list.items].sort((a, b) => b.period_end_on.localeCompare(a.period_end_on) || b.id - a.id)
  return { ...list, items }
}
export const runEvaluation = (body) => http.post('/evaluations', { body })
export const setExpertScore = (ev, body) =>
  http.request('PUT', '/evaluations/{evaluation_id}/expert-score', { path: { evaluation_id: ev.id }, headers: ifMatch(ev.version), body })
export const publishEvaluation = (ev, body) =>
  http.post('/evaluations/{evaluation_id}/publish', { path: { evaluation_id: ev.id }, headers: ifMatch(ev.version), body })
/** The evaluation as published and, once an appeal is upheld, as revised: both kept. */
export const evaluationVersions = (id) => http.get('/evaluations/{evaluation_id}/versions', { path: { evaluation_id: id } })

// -- appeals (申诉) --------------------------------------------------------------------------------
/** documents: [{title, url}], the evidence the appeal rests on. */
export const fileAppeal = (id, reason, documents = []) =>
  http.post('/evaluations/{evaluation_id}/appeal', { path: { evaluation_id: id }, body: { reason, documents } })
/** decision: upheld (with corrections [{input: kpi.<target> | inspection.<id> | expert, value, reason}]:
 *  the revised score is the evaluation recomputed with them) | rejected. */
export const decideAppeal = (id, body) => http.post('/evaluations/{evaluation_id}/appeal/decision', { path: { evaluation_id: id }, body })
