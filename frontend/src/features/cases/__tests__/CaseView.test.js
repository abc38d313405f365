import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'

vi.mock('../api.js', () => ({
  getCase: vi.fn(),
  acceptCase: vi.fn(async () => ({})),
  respondCase: vi.fn(async () => ({})),
  confirmCase: vi.fn(async () => ({})),
  reopenCase: vi.fn(async () => ({})),
  closeCase: vi.fn(async () => ({})),
}))
vi.mock('../../facilities/names.js', () => ({ facilityNames: () => ({ 15: { name_zh: '东城区第一图书馆' } }) }))

import { plugins } from '../../../components/__tests__/testing.js'
import { useSessionStore } from '../../../stores/session.js'
import CaseView from '../../../views/CaseView.vue'
import * as api from '../api.js'

const base = {
  id: 42, version: 3, kind: 'complaint', category: 'staff_conduct', category_name: '工作人员态度', title: null, description: '态度生硬',
  facility_id: 15, status: 'assigned', assignee: { type: 'official', operator_id: null }, due_at: '2026-11-25T16:00:00Z', overdue: false,
  responded_on_time: null, response: null, answer_rating: null, contact: null, source: 'app', mine: false, created_at: '2026-11-23T01:00:00Z',
  timeline: [
    { action: 'submitted', from_status: null, to_status: 'submitted', actor_role: 'resident', note: null, at: '2026-11-23T01:00:00Z' },
    { action: 'assigned', from_status: 'submitted', to_status: 'assigned', actor_role: 'system', note: null, at: '2026-11-23T01:00:01Z' },
  ],
}

function mountAs(role, item) {
  api.getCase.mockResolvedValue(item)
  const p = plugins()
  useSessionStore().user = { role, display_name: 'x' }
  return mount(CaseView, { props: { id: '42' }, global: { plugins: p.list } })
}

describe('CaseView', () => {
  beforeEach(() => vi.clearAllMocks())

  it('shows the timeline in order with localized steps', async () => {
    const w = mountAs('resident', { ...base, mine: true })
    await flushPromises()
    const steps = w.findAll('[data-test=timeline] li')
    expect(steps).toHaveLength(2)
    expect(steps[1].text()).toContain('分派')
    expect(w.find('[data-test=respond-case]').exists()).toBe(false)
  })

  it('shows an overcharge complaint’s charge beside the approved price, to its handler at the bureau', async () => {
    const overcharge = {
      ...base, category: 'fee_overcharge', category_name: '收费高于核定标准', operator_id: 1,
      attributes: { charged_fen: 5000, service_id: 9 },
      charge: { charged_fen: 5000, approved_fee_fen: 2000, basis: 'service 9: approved preferential fee', over_by_fen: 3000 },
    }
    const w = mountAs('official', overcharge)
    await flushPromises()
    expect(w.find('[data-test=case-charged]').text()).toBe('¥50.00')
    expect(w.find('[data-test=case-approved-fee]').text()).toContain('¥20.00')
    expect(w.find('[data-test=case-over-by]').text()).toBe('¥30.00')
    expect(w.find('[data-test=respond-case]').exists()).toBe(true)
  })

  it('gives the accused operator no answer form on a complaint routed to the bureau', async () => {
    const w = mountAs('operator', { ...base, operator_id: 1 })
    await flushPromises()
    expect(w.find('[data-test=respond-case]').exists()).toBe(false)
    const own = mountAs('operator', { ...base, category: 'service_quality', assignee: { type: 'operator', operator_id: 1 } })
    await flushPromises()
    expect(own.find('[data-test=respond-case]').exists()).toBe(true)
  })

  it('lets the handler answer, sending the answer to the API', async () => {
    const w = mountAs('official', base)
    await flushPromises()
    await w.find('[data-test=case-answer]').setValue('已处理')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(api.respondCase).toHaveBeenCalledWith(expect.objectContaining({ id: 42, version: 3 }), '已处理')
  })

  it('lets the resident confirm or reopen an answered case of their own', async () => {
    const w = mountAs('resident', { ...base, mine: true, status: 'responded', response: '已培训' })
    await flushPromises()
    expect(w.find('[data-test=case-response]').text()).toBe('已培训')
    expect(w.find('[data-test=reopen-case]').attributes('disabled')).toBeDefined()
    await w.find('[data-test=reopen-reason]').setValue('没有解决')
    await w.find('[data-test=reopen-case]').trigger('click')
    await flushPromises()
    expect(api.reopenCase).toHaveBeenCalledWith(expect.objectContaining({ id: 42 }), '没有解决')
  })

  it('tells the resident the case is confirmed only once it shows as confirmed', async () => {
    const w = mountAs('resident', { ...base, mine: true, status: 'responded', response: '已培训' })
    await flushPromises()
    let reloaded
    api.getCase.mockReturnValueOnce(new Promise((resolve) => { reloaded = resolve }))
    await w.find('[data-test=confirm-case]').trigger('click')
    await flushPromises()
    expect(api.confirmCase).toHaveBeenCalled()
    expect(w.find('[data-test=case-done]').exists()).toBe(false) // the case is still being reloaded
    reloaded({ ...base, mine: true, status: 'confirmed', response: '已培训' })
    await flushPromises()
    expect(w.find('[data-test=case-done]').exists()).toBe(true)
    expect(w.find('[data-test=case-status]').text()).toBe('已确认')
  })

  it('marks an overdue case', async () => {
    const w = mountAs('official', { ...base, overdue: true })
    await flushPromises()
    expect(w.text()).toContain('已超期')
  })
})
