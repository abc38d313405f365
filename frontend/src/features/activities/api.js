import { http } from '../../api/http.js'

/** Activities: from, to (ISO), facility_id, subdistrict, category, brand, target_group, has_seats, status. */
export const listActivities = (query = {}) => http.get('/activities', { query: { limit: 50, ...query } })

export const getActivity = (id) => http.get('/activities/{activity_id}', { path: { activity_id: id } })

/** The same filter as an iCalendar feed a calendar app can subscribe to. */
export const activitiesIcsUrl = (query = {}) => http.url('/activities.ics', { query })

export const createActivity = (body, idempotencyKey) =>
  http.post('/activities', { body, headers: idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {} })

export const publishActivity = (id) => http.post('/activities/{activity_id}/publish', { path: { activity_id: id } })

export const cancelActivity = (id, reason) =>
  http.post('/activities/{activity_id}/cancel', { path: { activity_id: id }, body: { reason } })

export const activityBookings = (id, query = {}) =>
  http.get('/activities/{activity_id}/bookings', { path: { activity_id: id }, query: { limit: 100, ...query } })

export const checkIn = (id, code) =>
  http.post('/activities/{activity_id}/check-ins', { path: { activity_id: id }, body: { code } })
