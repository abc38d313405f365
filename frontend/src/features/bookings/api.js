import { http } from '../../api/http.js'

export const bookActivity = (activityId, seats, idempotencyKey) =>
  http.post('/activities/{activity_id}/bookings', {
    path: { activity_id: activityId },
    body: { seats },
    headers: idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {},
  })

/** A resident's own bookings (the API scopes by role). */
export const listBookings = (query = {}) => http.get('/bookings', { query: { limit: 50, ...query } })

export const getBooking = (id) => http.get('/bookings/{booking_id}', { path: { booking_id: id } })

export const cancelBooking = (id) => http.post('/bookings/{booking_id}/cancel', { path: { booking_id: id } })
