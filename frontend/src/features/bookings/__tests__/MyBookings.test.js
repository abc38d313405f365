import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'

vi.mock('../api.js', () => ({
  listBookings: vi.fn(),
  cancelBooking: vi.fn(async () => null),
}))

import { plugins } from '../../../components/__tests__/testing.js'
import MyBookingsView from '../../../views/MyBookingsView.vue'
import * as api from '../api.js'

const soon = new Date(Date.now() + 86400000).toISOString()
const later = new Date(Date.now() + 90000000).toISOString()
const booking = (over) => ({
  id: 1, activity_id: 7, activity_title: '少儿书法体验课', facility_id: 114, starts_at: soon, ends_at: later, seats: 1,
  status: 'confirmed', attendance: 'pending', check_in_code: 'K7Q2M9', waitlist_position: null,
  cancelled_at: null, cancel_reason: null, cancel_note: '', ...over,
})

function mountView(locale = 'zh-CN') {
  return mount(MyBookingsView, { global: { plugins: plugins({ locale }).list, stubs: { RouterLink: { template: '<a><slot /></a>' } } } })
}

describe('MyBookingsView', () => {
  beforeEach(() => vi.clearAllMocks())

  it('says a booking was cancelled with its activity, with the organiser’s reason, and shows no check-in code', async () => {
    api.listBookings.mockResolvedValue({
      items: [booking({ status: 'cancelled', cancel_reason: 'activity_cancelled', cancel_note: '暴雨预警，活动取消', check_in_code: null, cancelled_at: new Date().toISOString() })],
      next_cursor: null,
    })
    const w = mountView()
    await flushPromises()
    const card = w.find('[data-test=upcoming-bookings] [data-test=booking-1]')
    expect(card.exists()).toBe(true)
    expect(card.find('[data-test=booking-status]').text()).toBe('活动已取消，预约随之取消')
    expect(card.find('[data-test=cancel-note]').text()).toContain('暴雨预警，活动取消')
    expect(card.find('[data-test=check-in-code]').exists()).toBe(false)
    expect(card.text()).not.toContain('取消预约')
  })

  it('keeps a booking the resident cancelled out of the upcoming ones', async () => {
    api.listBookings.mockResolvedValue({ items: [booking({ id: 2, status: 'cancelled', cancel_reason: 'resident', check_in_code: null })], next_cursor: null })
    const w = mountView('en')
    await flushPromises()
    expect(w.find('[data-test=upcoming-bookings] li').exists()).toBe(false)
    expect(w.find('[data-test=past-bookings]').text()).toContain('Cancelled')
  })
})
