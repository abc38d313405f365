// Contracts (合同, operators-api): what an awarded selection or a single-source purchase signs.
import { http } from '../../api/http.js'

export const listContracts = (query = {}) => http.get('/contracts', { query: { limit: 100, ...query } })
export const getContract = (id) => http.get('/contracts/{contract_id}', { path: { contract_id: id } })
