import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'

vi.mock('../api.js', () => ({
  listBookings: vi.fn(async () => ({ items: [], next_cursor: null })),
  bookActivity: vi.fn(),
  cancelBooking: vi.fn(async () => null),
}))

import { ApiError } from '../../../api/http.js'
import { plugins } from '../../../components/__tests__/testing.js'
import { useSessionStore } from '../../../stores/session.js'
import * as api from '../api.js'
import BookingPanel from '../components/BookingPanel.vue'

const soon = new Date(Date.now() + 86400000).toISOString()
const activity = {
  id: 7, status: 'published', booking_required: true, starts_at: soon, ends_at: soon, capacity: 20, seats_left: 0,
  booking_opens_at: null, booking_closes_at: null, cancel_cutoff_minutes: 60,
}

function mountAs(role) {
  const p = plugins()
  const session = useSessionStore()
  if (role) session.user = { role, display_name: 'x' }
  return mount(BookingPanel, { props: { activity }, global: { plugins: p.list } })
}

describe('BookingPanel', () => {
  beforeEach(() => vi.clearAllMocks())

  it('asks an anonymous visitor to sign in', async () => {
    const w = mountAs(null)
    expect(w.find('[data-test=signin-to-book]').exists()).toBe(true)
  })

  it('books seats and shows the waitlist place when full', async () => {
    api.bookActivity.mockResolvedValueOnce({ id: 1, status: 'waitlisted', waitlist_position: 3, seats: 2, attendance: 'not_applicable', check_in_code: null })
    const w = mountAs('resident')
    await flushPromises()
    await w.find('[data-test=seats]').setValue('2')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(api.bookActivity).toHaveBeenCalledWith(7, 2, expect.any(String))
    expect(w.find('[data-test=booking-status]').text()).toBe('已进入候补，第 3 位')
  })

  it('shows the check-in code of a confirmed booking and cancels it after confirming', async () => {
    api.listBookings.mockResolvedValueOnce({ items: [{ id: 5, status: 'confirmed', seats: 1, attendance: 'pending', check_in_code: 'ABCD2345' }] })
    const w = mountAs('resident')
    await flushPromises()
    expect(w.find('[data-test=check-in-code]').text()).toBe('ABCD2345')
    await w.find('[data-test=cancel-booking]').trigger('click')
    await w.find('[data-test=confirm-cancel]').trigger('click')
    await flushPromises()
    expect(api.cancelBooking).toHaveBeenCalledWith(5)
    expect(w.find('[data-test=booking-message]').text()).toBe('已取消')
  })

  it('shows a refused booking in the resident’s language and keeps the form', async () => {
    api.bookActivity.mockRejectedValueOnce(new ApiError({ status: 409, title: 'Conflict', detail: 'already booked' }))
    const w = mountAs('resident')
    await flushPromises()
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(w.text()).toContain('操作冲突')
    expect(w.find('[data-test=book]').exists()).toBe(true)
  })

  it('does not offer booking to staff', async () => {
    const w = mountAs('official')
    await flushPromises()
    expect(w.text()).toContain('仅居民账号可以预约')
    expect(api.listBookings).not.toHaveBeenCalled()
  })
})
