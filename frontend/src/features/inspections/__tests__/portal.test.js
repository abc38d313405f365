import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'

vi.mock('../../../api/http.js', async (importOriginal) => ({
  ...(await importOriginal()),
  http: { get: vi.fn(), post: vi.fn(), patch: vi.fn(), delete: vi.fn(), url: vi.fn() },
}))

import { http } from '../../../api/http.js'
import OperatorRectificationsView from '../../../views/operator/OperatorRectificationsView.vue'
import { fakeHttp, problem } from '../../../components/__tests__/fakeApi.js'
import { facility, page, rectification } from '../../../components/__tests__/portalFixtures.js'
import { mountPortal } from '../../../components/__tests__/mountPortal.js'

const list = [rectification({ id: 2, status: 'accepted', deadline_on: '2026-01-01', response: '已整改' }), rectification({ id: 1, overdue: true, deadline_on: '2026-11-01' })]

describe('rectifications', () => {
  beforeEach(() => vi.clearAllMocks())

  it('lists ours with the waiting and overdue ones first', async () => {
    fakeHttp(http, { 'GET /facilities': page([facility]), 'GET /rectifications': page(list) })
    const w = mountPortal(OperatorRectificationsView)
    await flushPromises()
    const cards = w.findAll('[data-test=rectifications] > li')
    expect(cards[0].attributes('data-test')).toBe('rectification-1')
    expect(cards[0].text()).toContain('已超期')
    expect(cards[0].find('[data-test=rectification-deadline]').text()).toContain('2026')
    expect(cards[1].find('[data-test=answer-rectification]').exists()).toBe(false)
  })

  it('answers one with what was done and links to the evidence', async () => {
    const api = fakeHttp(http, {
      'GET /facilities': page([facility]),
      'GET /rectifications': page(list),
      'POST /rectifications/{rectification_id}/response': ({ body }) => rectification({ id: 1, status: 'responded', response: body.response, response_documents: body.documents, responded_at: '2026-11-23T02:00:00Z' }),
    })
    const w = mountPortal(OperatorRectificationsView)
    await flushPromises()
    const card = () => w.find('[data-test=rectification-1]')
    await card().find('[data-test=answer-rectification]').trigger('click')
    await card().find('[data-test=rectification-text]').setValue('已在入口张贴开放时间')
    await card().find('[data-test=add-document]').trigger('click')
    await card().find('[data-test=doc-title]').setValue('公示照片')
    await card().find('[data-test=doc-url]').setValue('https://example.org/p.jpg')
    await card().find('form').trigger('submit')
    await flushPromises()
    expect(api.calls.find((c) => c.key.startsWith('POST')).path).toEqual({ rectification_id: 1 })
    expect(api.bodyOf('POST /rectifications/{rectification_id}/response')[0]).toEqual({
      response: '已在入口张贴开放时间', documents: [{ title: '公示照片', url: 'https://example.org/p.jpg' }],
    })
    expect(card().find('[data-test=rectification-status]').text()).toBe('已回复')
    expect(card().find('[data-test=rectification-response]').text()).toBe('已在入口张贴开放时间')
    expect(card().find('a[href="https://example.org/p.jpg"]').text()).toBe('公示照片')
    expect(w.find('[data-test=rectification-answered]').exists()).toBe(true)
  })

  it('keeps the answer and says why when the API refuses it', async () => {
    fakeHttp(http, {
      'GET /facilities': page([facility]),
      'GET /rectifications': page(list),
      'POST /rectifications/{rectification_id}/response': problem(409, 'Rectification 1 is accepted.'),
    })
    const w = mountPortal(OperatorRectificationsView)
    await flushPromises()
    await w.find('[data-test=answer-rectification]').trigger('click')
    await w.find('[data-test=rectification-text]').setValue('已整改')
    await w.find('[data-test=rectification-1] form').trigger('submit')
    await flushPromises()
    expect(w.find('[data-test=rectification-1] .notice-error').text()).toContain('冲突')
    expect(w.find('[data-test=rectification-text]').element.value).toBe('已整改')
  })

  it('says so when there is nothing to put right', async () => {
    fakeHttp(http, { 'GET /facilities': page([facility]), 'GET /rectifications': page([]) })
    const w = mountPortal(OperatorRectificationsView, { locale: 'en' })
    await flushPromises()
    expect(w.text()).toContain('No rectifications')
  })
})
