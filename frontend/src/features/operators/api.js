import { http } from '../../api/http.js'

export const listOperators = (query = {}) => http.get('/operators', { query: { limit: 100, ...query } })

export const getOperator = (id) => http.get('/operators/{operator_id}', { path: { operator_id: id } })

/** What the platform itself recorded at a facility or over an operator's facilities (from, to: dates). */
export const operationsStats = (query) => http.get('/stats/operations', { query })
