import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'

vi.mock('../../../api/http.js', async (importOriginal) => ({
  ...(await importOriginal()),
  http: { get: vi.fn(), post: vi.fn(), patch: vi.fn(), delete: vi.fn(), url: vi.fn() },
}))

import { http } from '../../../api/http.js'
import OperatorRatingsView from '../../../views/operator/OperatorRatingsView.vue'
import { fakeHttp, problem } from '../../../components/__tests__/fakeApi.js'
import { facility, page, rating } from '../../../components/__tests__/portalFixtures.js'
import { mountPortal } from '../../../components/__tests__/mountPortal.js'

const answered = rating({ id: 4000, overall: 5, comment: '很好', reply: { text: '谢谢支持', operator_id: 1, replied_at: '2026-11-01T00:00:00Z' } })

describe('ratings of our facilities', () => {
  beforeEach(() => vi.clearAllMocks())

  it('replies publicly once and shows the reply', async () => {
    const api = fakeHttp(http, {
      'GET /facilities': page([facility]),
      'GET /ratings': page([rating(), answered]),
      'POST /ratings/{rating_id}/reply': ({ body }) => rating({ reply: { text: body.text, operator_id: 1, replied_at: '2026-11-23T00:00:00Z' } }),
    })
    const w = mountPortal(OperatorRatingsView)
    await flushPromises()
    expect(http.get).toHaveBeenCalledWith('/ratings', { query: { facility_id: 114, limit: 50, cursor: undefined } })
    expect(w.find('[data-test=rating-4000] [data-test=open-reply]').exists()).toBe(false)
    const card = () => w.find('[data-test=rating-4988]')
    await card().find('[data-test=open-reply]').trigger('click')
    await card().find('[data-test=reply-text]').setValue('周末已增加临时座位')
    await card().find('form').trigger('submit')
    await flushPromises()
    expect(api.bodyOf('POST /ratings/{rating_id}/reply')[0]).toEqual({ text: '周末已增加临时座位' })
    expect(card().find('[data-test=rating-reply-text]').text()).toBe('周末已增加临时座位')
    expect(w.find('[data-test=reply-published]').exists()).toBe(true)
  })

  it('filters to unanswered ratings', async () => {
    fakeHttp(http, { 'GET /facilities': page([facility]), 'GET /ratings': page([rating(), answered]) })
    const w = mountPortal(OperatorRatingsView)
    await flushPromises()
    await w.find('[data-test=unanswered-only]').setValue(true)
    expect(w.findAll('[data-test=ratings] > li')).toHaveLength(1)
  })

  it('shows the error of a refused reply in English', async () => {
    fakeHttp(http, { 'GET /facilities': page([facility]), 'GET /ratings': page([rating()]), 'POST /ratings/{rating_id}/reply': problem(403, 'Only the operator…') })
    const w = mountPortal(OperatorRatingsView, { locale: 'en' })
    await flushPromises()
    await w.find('[data-test=open-reply]').trigger('click')
    await w.find('[data-test=reply-text]').setValue('Thanks')
    await w.find('[data-test=rating-4988] form').trigger('submit')
    await flushPromises()
    expect(w.find('.notice-error').text()).toContain('You are not allowed to do this.')
  })
})
