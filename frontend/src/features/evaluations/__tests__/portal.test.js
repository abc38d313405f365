import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'

vi.mock('../../../api/http.js', async (importOriginal) => ({
  ...(await importOriginal()),
  http: { get: vi.fn(), post: vi.fn(), patch: vi.fn(), delete: vi.fn(), url: vi.fn() },
}))

import { http } from '../../../api/http.js'
import OperatorEvaluationsView from '../../../views/operator/OperatorEvaluationsView.vue'
import { fakeHttp } from '../../../components/__tests__/fakeApi.js'
import { contract, evaluation, page } from '../../../components/__tests__/portalFixtures.js'
import { mountPortal } from '../../../components/__tests__/mountPortal.js'

const decided = evaluation({
  id: 10, period: '2026-Q1', period_end_on: '2026-03-31', appeal_deadline_on: '2026-04-22', score: '88.00', original_score: '79.50',
  appeal: { id: 1, evaluation_id: 10, reason: '督查评分有误', submitted_at: '2026-04-15T00:00:00Z', status: 'upheld', decision_reason: '复核后调整', revised_score: '88.00', decided_at: '2026-04-20T00:00:00Z' },
})

function routes() {
  return {
    'GET /contracts': page([contract]),
    'GET /evaluations': page([decided, evaluation()]),
    'POST /evaluations/{evaluation_id}/appeal': ({ body }) =>
      evaluation({ appeal: { id: 2, evaluation_id: 12, reason: body.reason, submitted_at: '2026-11-23T00:00:00Z', status: 'submitted', decision_reason: null, revised_score: null, decided_at: null } }),
  }
}

describe('evaluations and appeals', () => {
  beforeEach(() => vi.clearAllMocks())

  it('shows the score, grade and each part with its weight, newest first', async () => {
    fakeHttp(http, routes())
    const w = mountPortal(OperatorEvaluationsView)
    await flushPromises()
    const cards = w.findAll('[data-test=evaluations] > article')
    expect(cards[0].attributes('data-test')).toBe('evaluation-2026-Q3')
    expect(cards[0].find('[data-test=evaluation-grade]').text()).toBe('良好')
    expect(cards[0].find('[data-test=evaluation-score]').text()).toBe('86.83')
    const rows = cards[0].findAll('tbody tr').map((r) => r.text())
    expect(rows[0]).toContain('绩效指标完成')
    expect(rows[0]).toContain('40')
    expect(rows[3]).toContain('缺失')
    expect(cards[1].find('[data-test=appeal-decision]').text()).toContain('复核后调整')
    expect(cards[1].text()).toContain('申诉前：79.5')
  })

  it('files an appeal within the window and shows it under review', async () => {
    const api = fakeHttp(http, routes())
    const w = mountPortal(OperatorEvaluationsView)
    await flushPromises()
    const card = () => w.find('[data-test=evaluation-2026-Q3]')
    expect(card().text()).toContain('申诉期至')
    await card().find('[data-test=open-appeal]').trigger('click')
    await card().find('[data-test=appeal-reason]').setValue('第三方评估未计入')
    await card().find('[data-test=add-document]').trigger('click')
    await card().find('[data-test=doc-title]').setValue('第三方评估报告')
    await card().find('[data-test=doc-url]').setValue('https://example.org/assessment.pdf')
    await card().find('form').trigger('submit')
    await flushPromises()
    expect(api.calls.find((c) => c.key.startsWith('POST')).path).toEqual({ evaluation_id: 12 })
    expect(api.bodyOf('POST /evaluations/{evaluation_id}/appeal')[0]).toEqual({
      reason: '第三方评估未计入',
      documents: [{ title: '第三方评估报告', url: 'https://example.org/assessment.pdf' }],
    })
    expect(card().find('[data-test=appeal-status]').text()).toBe('申诉审理中')
    expect(card().find('[data-test=open-appeal]').exists()).toBe(false)
  })
})
