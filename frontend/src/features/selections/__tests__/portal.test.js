import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'

vi.mock('../../../api/http.js', async (importOriginal) => ({
  ...(await importOriginal()),
  http: { get: vi.fn(), post: vi.fn(), patch: vi.fn(), delete: vi.fn(), url: vi.fn() },
}))

import { http } from '../../../api/http.js'
import OperatorSelectionsView from '../../../views/operator/OperatorSelectionsView.vue'
import { fakeHttp } from '../../../components/__tests__/fakeApi.js'
import { bid, page, selection } from '../../../components/__tests__/portalFixtures.js'
import { mountPortal } from '../../../components/__tests__/mountPortal.js'

const awarded = selection({
  id: 2, status: 'awarded', title: '角楼图书馆等阅读空间社会化运营服务项目', bids_close_at: '2026-01-01T00:00:00Z',
  award: { bid_id: 20, operator_id: 7, operator_name: '书海听涛', price_fen: 1, total_score: '90', reason: '综合得分最高', awarded_at: '2026-02-01T00:00:00Z' },
  result: [
    { rank: 1, bid_id: 20, operator_id: 7, operator_name: '书海听涛', price_fen: 1, price_score: '29', criteria: { service_plan: '61' }, total: '90.00', complete: true },
    { rank: 3, bid_id: 21, operator_id: 1, operator_name: '美后肆时', price_fen: 1, price_score: '26.50', criteria: { service_plan: '55.25' }, total: '81.75', complete: true },
  ],
})

function routes(over = {}) {
  return {
    'GET /selections': ({ query }) => page(query.status === 'bidding' ? [selection()] : query.status === 'awarded' ? [awarded] : []),
    'GET /selections/{selection_id}/bids': ({ path }) => (path.selection_id === 2 ? [bid({ id: 21, selection_id: 2 })] : []),
    'POST /selections/{selection_id}/bids': ({ body }) => bid({ price_fen: body.price_fen, proposal_summary: body.proposal_summary }),
    ...over,
  }
}

describe('selections and bids', () => {
  beforeEach(() => vi.clearAllMocks())

  it('refuses a price above the budget before sending it', async () => {
    fakeHttp(http, routes())
    const w = mountPortal(OperatorSelectionsView)
    await flushPromises()
    await w.find('[data-test=bid-price]').setValue('1000001')
    expect(w.find('[data-test=bid-form] .field-error').text()).toBe('超出预算')
    expect(w.find('[data-test=submit-bid]').attributes('disabled')).toBeDefined()
  })

  it('submits a bid in fen with an idempotency key and shows it as ours', async () => {
    const api = fakeHttp(http, routes())
    const w = mountPortal(OperatorSelectionsView)
    await flushPromises()
    await w.find('[data-test=bid-price]').setValue('880000.50')
    await w.find('[data-test=bid-proposal]').setValue('延长开放至晚九点，增设少儿阅读活动')
    await w.find('[data-test=bid-form]').trigger('submit')
    await flushPromises()
    const post = api.calls.find((c) => c.key === 'POST /selections/{selection_id}/bids')
    expect(post.path).toEqual({ selection_id: 5 })
    expect(post.body).toEqual({ price_fen: 88_000_050, proposal_summary: '延长开放至晚九点，增设少儿阅读活动', documents: [] })
    expect(post.headers['Idempotency-Key']).toBeTruthy()
    expect(w.find('[data-test=my-bid]').text()).toContain('¥880000.50')
    expect(w.find('[data-test=bid-form]').exists()).toBe(false)
    expect(w.find('[data-test=bid-submitted]').exists()).toBe(true)
  })

  it('shows our place and scores in a decided selection', async () => {
    fakeHttp(http, routes())
    const w = mountPortal(OperatorSelectionsView, { locale: 'en' })
    await flushPromises()
    await w.find('[data-test=tab-past]').trigger('click')
    const card = w.find('[data-test=selection-2]')
    expect(card.find('[data-test=my-result]').text()).toContain('3 / 2')
    expect(card.find('[data-test=my-total]').text()).toBe('81.75')
    expect(card.find('[data-test=selection-won]').exists()).toBe(false)
  })

  it('says when nothing is open for bids', async () => {
    fakeHttp(http, routes({ 'GET /selections': page([]) }))
    const w = mountPortal(OperatorSelectionsView)
    await flushPromises()
    expect(w.text()).toContain('目前没有正在接受投标的遴选项目')
  })
})
