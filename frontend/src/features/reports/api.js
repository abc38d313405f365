// Monthly service reports (服务月报, operators-api): an operator files them; operators-api checks
// them against what the platform recorded, again on request.
import { http } from '../../api/http.js'

export const listServiceReports = (query = {}) => http.get('/service-reports', { query: { limit: 100, ...query } })
/** body: {contract_id, month: 'YYYY-MM', lines: [{facility_id, open_hours, activities, participants, special_group_services, incidents, notes}], summary} */
export const fileReport = (body) => http.post('/service-reports', { body })
export const crossCheckReport = (id) => http.post('/service-reports/{report_id}/cross-check', { path: { report_id: id } })
/** What the platform recorded at one facility over [from, to] (local days): the figures a report is checked against. */
export const facilityFigures = (facilityId, from, to) => http.get('/stats/operations', { query: { facility_id: facilityId, from, to } })
