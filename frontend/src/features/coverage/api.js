import { http } from '../../api/http.js'

/** 有没有 / 够不够 per subdistrict (month: YYYY-MM). */
export const coverageBySubdistrict = (query = {}) => http.get('/coverage/subdistricts', { query })

/** Each community's nearest open facility and whether it is within a walk. */
export const coverageByCommunity = (query = {}) => http.get('/coverage/communities', { query })

export const branchSystems = (query = {}) => http.get('/coverage/branch-systems', { query })
