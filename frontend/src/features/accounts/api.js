// Accounts (the gateway's users): officials find, disable and enable them.
import { http } from '../../api/http.js'

/** Phone numbers come masked; role filters, phone finds the account of a number (district officials). */
export const listUsers = (query = {}) => http.get('/users', { query: { limit: 100, ...query } })
/** At once: the account's tokens are refused and its refresh tokens revoked. */
export const disableAccount = (id, reason) => http.post('/users/{user_id}/disable', { path: { user_id: id }, body: { reason } })
export const enableAccount = (id, reason) => http.post('/users/{user_id}/enable', { path: { user_id: id }, body: { reason } })
