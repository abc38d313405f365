// The audit log (operators-api): who did what to which record, with filters.
import { http } from '../../api/http.js'

export const listAuditLog = (query = {}) => http.get('/audit-log', { query: { limit: 100, ...query } })
