import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'

vi.mock('../../../api/http.js', async (importOriginal) => ({
  ...(await importOriginal()),
  http: { get: vi.fn(), post: vi.fn(), patch: vi.fn(), delete: vi.fn(), url: vi.fn() },
}))

import { http } from '../../../api/http.js'
import CaseView from '../../../views/CaseView.vue'
import OperatorCasesView from '../../../views/operator/OperatorCasesView.vue'
import { fakeHttp } from '../../../components/__tests__/fakeApi.js'
import { facility, page } from '../../../components/__tests__/portalFixtures.js'
import { mountPortal } from '../../../components/__tests__/mountPortal.js'

const item = (over = {}) => ({
  id: 42, version: 3, kind: 'complaint', category: 'staff_conduct', category_name: '工作人员态度', title: '前台态度生硬', description: '前台态度生硬',
  facility_id: 114, status: 'assigned', assignee: { type: 'operator', operator_id: 1 }, due_at: '2026-11-25T16:00:00Z', overdue: false, first_responded_at: null,
  responded_on_time: null, response: null, answer_rating: null, contact: null, source: 'app', mine: false, created_at: '2026-11-23T01:00:00Z', timeline: [], ...over,
})

describe('our cases', () => {
  beforeEach(() => vi.clearAllMocks())

  it('lists cases assigned to us with the overdue ones first and their deadlines', async () => {
    fakeHttp(http, { 'GET /cases': page([item({ id: 41, title: '按时的' }), item({ id: 42, overdue: true })]), 'GET /facilities/{facility_id}': facility })
    const w = mountPortal(OperatorCasesView)
    await flushPromises()
    const cards = w.findAll('[data-test=cases-desk] > li')
    expect(cards[0].text()).toContain('#42')
    expect(cards[0].text()).toContain('已超期')
    expect(cards[1].text()).toContain('答复期限')
  })

  it('lets the operator answer an assigned case on the case page', async () => {
    const api = fakeHttp(http, {
      'GET /cases/{case_id}': item(),
      'GET /facilities/{facility_id}': facility,
      'POST /cases/{case_id}/respond': () => item({ status: 'responded', response: '已培训' }),
    })
    const w = mountPortal(CaseView, { props: { id: '42' } })
    await flushPromises()
    expect(w.find('a[href="/operator/cases"]').exists()).toBe(true)
    await w.find('[data-test=case-answer]').setValue('已对前台人员进行培训')
    await w.find('form').trigger('submit')
    await flushPromises()
    const post = api.calls.find((c) => c.key === 'POST /cases/{case_id}/respond')
    expect(post.body).toEqual({ text: '已对前台人员进行培训' })
    expect(post.headers).toEqual({ 'If-Match': '"v3"' })
  })
})
