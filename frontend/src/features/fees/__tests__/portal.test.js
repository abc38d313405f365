import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'

vi.mock('../../../api/http.js', async (importOriginal) => ({
  ...(await importOriginal()),
  http: { get: vi.fn(), post: vi.fn(), patch: vi.fn(), delete: vi.fn(), url: vi.fn() },
}))

import { http } from '../../../api/http.js'
import OperatorFeesView from '../../../views/operator/OperatorFeesView.vue'
import { fakeHttp } from '../../../components/__tests__/fakeApi.js'
import { contract, facility, feeApp, guideline, page, services } from '../../../components/__tests__/portalFixtures.js'
import { mountPortal } from '../../../components/__tests__/mountPortal.js'

function routes(over = {}) {
  return {
    'GET /contracts': page([contract]),
    'GET /facilities': page([facility]),
    'GET /fee-applications': page([feeApp({ id: 1, status: 'approved', decision_reason: '价格合理', decided_at: '2026-06-01T00:00:00Z', expires_on: '2028-06-30' })]),
    'GET /fee-applications/guideline': guideline,
    'GET /facilities/{facility_id}/services': services,
    'POST /fee-applications': ({ body }) => feeApp({ ...body, id: 8, service_name: '少儿书法体验课' }),
    ...over,
  }
}

async function fill(w, fee) {
  await w.find('[data-test=fee-service]').setValue('330')
  await w.find('[data-test=fee-market]').setValue('100')
  await w.find('[data-test=fee-proposed]').setValue(fee)
  await w.find('[data-test=fee-special]').setValue('20')
  await w.find('[data-test=fee-justification]').setValue('材料费与师资成本')
}

describe('preferential-fee applications', () => {
  beforeEach(() => vi.clearAllMocks())

  it('lists ours with the decision', async () => {
    fakeHttp(http, routes())
    const w = mountPortal(OperatorFeesView)
    await flushPromises()
    expect(w.find('[data-test=fee-1] [data-test=fee-status]').text()).toBe('已批准')
    expect(w.find('[data-test=fee-1] [data-test=fee-decision]').text()).toContain('价格合理')
  })

  it('offers only non-basic services and checks the guideline as figures are typed', async () => {
    fakeHttp(http, routes())
    const w = mountPortal(OperatorFeesView)
    await flushPromises()
    const options = w.findAll('[data-test=fee-service] option').map((o) => o.text())
    expect(options.some((o) => o.includes('少儿书法体验课'))).toBe(true)
    expect(options.some((o) => o.includes('阅读空间'))).toBe(false)
    await fill(w, '60')
    expect(w.find('[data-test=fee-guideline] li.bad').text()).toContain('不超过市场参考价的 50%：¥50.00')
    expect(w.find('[data-test=submit-fee]').attributes('disabled')).toBeDefined()
  })

  it('applies with amounts in fen and shows the application', async () => {
    const api = fakeHttp(http, routes())
    const w = mountPortal(OperatorFeesView)
    await flushPromises()
    await fill(w, '40')
    await w.find('[data-test=fee-form]').trigger('submit')
    await flushPromises()
    expect(api.bodyOf('POST /fee-applications')[0]).toEqual({
      contract_id: 3, facility_id: 114, service_id: 330, market_price_fen: 10_000, proposed_fee_fen: 4_000,
      special_group_free_percent: 20, special_group_fee_fen: 2_000, justification: '材料费与师资成本',
    })
    expect(w.find('[data-test=fee-applied]').text()).toContain('少儿书法体验课')
    expect(w.find('[data-test=fee-8] [data-test=fee-status]').text()).toBe('待审批')
  })
})
