// The select–use–manage–cultivate records of operators-api (遴选、合同、月报、督查、整改、考核、收费、审计),
// as the record tables of the operator's home and the officials' overview list them: each list is
// its domain's own call.
export { listAuditLog } from '../audit/api.js'
export { listContracts } from '../contracts/api.js'
export { listEvaluations } from '../evaluations/api.js'
export { listFeeApplications } from '../fees/api.js'
export { listInspections, listRectifications } from '../inspections/api.js'
export { listServiceReports } from '../reports/api.js'
export { listSelections } from '../selections/api.js'
