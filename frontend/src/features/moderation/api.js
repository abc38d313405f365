// The moderation queue (feedback-api): held comments and ratings, suspected bursts.
import { http } from '../../api/http.js'

/** kind: comments | held. */
export const moderationQueue = (query = {}) => http.get('/moderation/queue', { query: { limit: 100, ...query } })
/** action: approve_comment | reject_comment | hide | restore. */
export const decideRating = (id, action, note) => http.post('/moderation/ratings/{rating_id}', { path: { rating_id: id }, body: { action, note: note || null } })
export const listBursts = (query = {}) => http.get('/moderation/bursts', { query: { limit: 100, ...query } })
/** decision: release | hide. */
export const decideBurst = (id, decision, note) => http.post('/moderation/bursts/{burst_id}', { path: { burst_id: id }, body: { decision, note: note || null } })
