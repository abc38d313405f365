import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'

vi.mock('../../../api/http.js', async (importOriginal) => ({
  ...(await importOriginal()),
  http: { get: vi.fn(), post: vi.fn(), patch: vi.fn(), delete: vi.fn(), url: vi.fn() },
}))

import { http } from '../../../api/http.js'
import OperatorServicesView from '../../../views/operator/OperatorServicesView.vue'
import { fakeHttp, problem } from '../../../components/__tests__/fakeApi.js'
import { contract, facility, page, services } from '../../../components/__tests__/portalFixtures.js'
import { mountPortal } from '../../../components/__tests__/mountPortal.js'

const proposal = (over = {}) => ({
  id: 5, facility_id: 114, service_id: 327, kind: 'change', changes: { basic: false }, reason: '改为收费课程', status: 'rejected',
  proposed_by: 'demo-operator', proposer_operator_id: 1, proposed_at: '2026-11-02T02:00:00Z', decided_by: 'demo-official',
  decided_at: '2026-11-03T02:00:00Z', decision_note: '阅读空间是基本公共文化服务，应免费。', ...over,
})

function routes(over = {}) {
  return {
    'GET /contracts': page([contract]),
    'GET /facilities': page([facility]),
    'GET /facilities/{facility_id}/services': services,
    'GET /facilities/{facility_id}/service-proposals': page([proposal()]),
    'POST /facilities/{facility_id}/service-proposals': ({ body }) => proposal({ id: 6, status: 'pending', decided_by: null, decided_at: null, decision_note: '', changes: body, reason: body.reason }),
    ...over,
  }
}

describe('the services of our facilities', () => {
  beforeEach(() => vi.clearAllMocks())

  it('offers no way to switch a service from basic itself: it proposes the change, with the reason', async () => {
    const api = fakeHttp(http, routes())
    const w = mountPortal(OperatorServicesView)
    await flushPromises()
    expect(w.find('[data-test=service-327] [data-test=service-basic]').text()).toBe('基本服务 · 免费')
    // The page writes nothing to the service itself.
    expect(api.calls.some((c) => c.key.startsWith('PATCH'))).toBe(false)
    await w.find('[data-test=propose-change-327]').trigger('click')
    await w.find('[data-test=proposal-nonbasic]').setValue(true)
    await w.find('[data-test=proposal-reason]').setValue('开设进阶阅读课，需收取材料费')
    await w.find('[data-test=proposal-form]').trigger('submit')
    await flushPromises()
    expect(api.bodyOf('POST /facilities/{facility_id}/service-proposals')).toEqual([{ service_id: 327, basic: false, reason: '开设进阶阅读课，需收取材料费' }])
    expect(api.calls.some((c) => c.key.startsWith('PATCH'))).toBe(false)
    expect(w.find('[data-test=proposal-sent]').exists()).toBe(true)
  })

  it('lists our proposals with the district’s answer, in English too', async () => {
    fakeHttp(http, routes())
    const w = mountPortal(OperatorServicesView, { locale: 'en' })
    await flushPromises()
    const card = w.find('[data-test=proposal-5]')
    expect(card.find('[data-test=proposal-status]').text()).toBe('Rejected')
    expect(card.text()).toContain('make it non-basic')
    expect(card.text()).toContain('阅读空间是基本公共文化服务')
  })

  it('shows the refusal of a proposal in the reader’s language', async () => {
    fakeHttp(http, routes({ 'POST /facilities/{facility_id}/service-proposals': problem(403, 'Not your facility.') }))
    const w = mountPortal(OperatorServicesView)
    await flushPromises()
    await w.find('[data-test=propose-new]').trigger('click')
    await w.find('[data-test=proposal-name]').setValue('非遗剪纸体验')
    await w.find('[data-test=proposal-reason]').setValue('居民点单较多')
    await w.find('[data-test=proposal-form]').trigger('submit')
    await flushPromises()
    expect(w.find('.notice-error').text()).toContain('您没有权限')
  })
})
