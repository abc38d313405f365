// The select–use–manage–cultivate records of operators-api (遴选、合同、月报、督查、整改、考核、收费、审计).
import { http } from '../../api/http.js'

const q = (query) => ({ query: { limit: 100, ...query } })

export const listSelections = (query = {}) => http.get('/selections', q(query))
export const listContracts = (query = {}) => http.get('/contracts', q(query))
export const listServiceReports = (query = {}) => http.get('/service-reports', q(query))
export const listInspections = (query = {}) => http.get('/inspections', q(query))
export const listRectifications = (query = {}) => http.get('/rectifications', q(query))
export const listEvaluations = (query = {}) => http.get('/evaluations', q(query))
export const listFeeApplications = (query = {}) => http.get('/fee-applications', q(query))
export const listAuditLog = (query = {}) => http.get('/audit-log', q(query))
