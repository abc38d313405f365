// The basic-service catalogue (facilities-api): the bureau's. An operator proposes adding a service
// or changing whether it is basic; a district official approves or rejects the proposal.
import { http } from '../../api/http.js'

/** status: pending | approved | rejected. */
export const listServiceProposals = (query = {}) => http.get('/service-proposals', { query: { limit: 100, ...query } })
export const facilityProposals = (facilityId, query = {}) =>
  http.get('/facilities/{facility_id}/service-proposals', { path: { facility_id: facilityId }, query: { limit: 100, ...query } })
/** service_id: the service to change (none: add one); only the fields that change, and the reason. */
export const proposeService = (facilityId, body) => http.post('/facilities/{facility_id}/service-proposals', { path: { facility_id: facilityId }, body })
/** decision: approve | reject (reject needs the note). */
export function decideServiceProposal(p, decision, note) {
  const opts = { path: { facility_id: p.facility_id, proposal_id: p.id }, body: { note: note || '' } }
  return decision === 'approve'
    ? http.post('/facilities/{facility_id}/service-proposals/{proposal_id}/approve', opts)
    : http.post('/facilities/{facility_id}/service-proposals/{proposal_id}/reject', opts)
}
