// Preferential-fee applications (优惠收费, operators-api): an operator applies against the guideline;
// an official approves or rejects.
import { http } from '../../api/http.js'

export const listFeeApplications = (query = {}) => http.get('/fee-applications', { query: { limit: 100, ...query } })
export const feeGuideline = () => http.get('/fee-applications/guideline')
/** body: {contract_id, facility_id, service_id, market_price_fen, proposed_fee_fen, special_group_free_percent, special_group_fee_fen, justification} */
export const applyForFee = (body) => http.post('/fee-applications', { body })
export const withdrawFeeApplication = (id, reason) =>
  http.post('/fee-applications/{application_id}/withdrawal', { path: { application_id: id }, body: { reason } })
/** decision: approved | rejected. */
export const decideFeeApplication = (id, decision, reason) =>
  http.post('/fee-applications/{application_id}/decision', { path: { application_id: id }, body: { decision, reason } })
