import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'

vi.mock('../../../api/http.js', async (importOriginal) => ({
  ...(await importOriginal()),
  http: { get: vi.fn(), post: vi.fn(), patch: vi.fn(), delete: vi.fn(), url: vi.fn() },
}))

import { http } from '../../../api/http.js'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { makeI18n } from '../../../locales/index.js'
import { routes } from '../../../router/index.js'
import { useSessionStore } from '../../../stores/session.js'
import { fakeHttp, problem } from '../../../components/__tests__/fakeApi.js'
import EvaluationGradesPanel from '../components/EvaluationGradesPanel.vue'

const page = (items) => ({ items, next_cursor: null })
const Q2 = { period: '2026-Q2', period_start_on: '2026-04-01', period_end_on: '2026-06-30' }
const Q3 = { period: '2026-Q3', period_start_on: '2026-07-01', period_end_on: '2026-09-30' }
let nextId = 1
const evaluation = (period, grade, score, operator_id) => ({ id: nextId++, contract_id: 10 + operator_id, operator_id, status: 'published', grade, score, ...period })

// Two periods: Q2 (older, more evaluations) and Q3 (the latest); only Q3 is counted.
const evaluations = [
  evaluation(Q2, 'fail', '50.00', 1),
  evaluation(Q2, 'fail', '52.00', 2),
  evaluation(Q2, 'fail', '55.00', 3),
  evaluation(Q3, 'good', '84.00', 1),
  evaluation(Q3, 'excellent', '93.50', 2),
  evaluation(Q3, 'good', '81.00', 3),
  evaluation(Q3, 'fail', '48.00', 4),
]

const BarChartStub = { name: 'BarChart', props: ['title', 'categories', 'series', 'horizontal'], template: '<figure data-test="chart-stub" />' }

function mountPanel(props = { active: true }) {
  const pinia = createPinia()
  setActivePinia(pinia)
  useSessionStore().user = { id: 3, role: 'official', display_name: '王科长', subdistrict: null, operator_id: null }
  const router = createRouter({ history: createMemoryHistory(), routes })
  return mount(EvaluationGradesPanel, { props, global: { plugins: [pinia, router, makeI18n()], stubs: { BarChart: BarChartStub } } })
}

const cells = (w, sel) => w.findAll(`${sel} tbody tr`).map((r) => r.findAll('td').map((td) => td.text()))

describe('EvaluationGradesPanel', () => {
  beforeEach(() => vi.clearAllMocks())

  it('counts the grades of the latest period with published evaluations only', async () => {
    const api = fakeHttp(http, { 'GET /evaluations': page(evaluations) })
    const w = mountPanel()
    await flushPromises()
    expect(api.calls[0].query).toMatchObject({ status: 'published' })
    expect(w.find('[data-test=grades-period]').text()).toContain('2026-Q3')
    expect(w.find('[data-test=grades-period]').text()).not.toContain('2026-Q2')
    expect(cells(w, '[data-test=grades-counts]')).toEqual([
      ['优秀', '1'],
      ['良好', '2'],
      ['合格', '0'],
      ['不合格', '1'],
    ])
    const chart = w.findComponent(BarChartStub)
    expect(chart.props('categories')).toEqual(['优秀', '良好', '合格', '不合格'])
    expect(chart.props('series')[0].data).toEqual([1, 2, 0, 1])
    // Each operator of the period, best grade first; operators named by id.
    const ops = cells(w, '[data-test=grades-operators]')
    expect(ops.map((r) => [r[0], r[3]])).toEqual([
      ['#2', '优秀'],
      ['#1', '良好'],
      ['#3', '良好'],
      ['#4', '不合格'],
    ])
    expect(w.find('[data-test=grades-link]').attributes('href')).toBe('/workbench/evaluations')
  })

  it('waits until active to load, and says so when nothing is published', async () => {
    const api = fakeHttp(http, { 'GET /evaluations': page([]) })
    const w = mountPanel({ active: false })
    await flushPromises()
    expect(api.calls).toHaveLength(0)
    await w.setProps({ active: true })
    await flushPromises()
    expect(api.calls).toHaveLength(1)
    expect(w.find('.state-empty').text()).toBe('暂无已发布的考核')
    expect(w.find('[data-test=grades-counts]').exists()).toBe(false)
    expect(w.find('[data-test=grades-period]').exists()).toBe(false)
  })

  it('shows the error with a retry', async () => {
    fakeHttp(http, { 'GET /evaluations': problem(503, 'operators-api unavailable') })
    const w = mountPanel()
    await flushPromises()
    expect(w.find('[data-test=grades-counts]').exists()).toBe(false)
    expect(w.find('.state-empty').exists()).toBe(false)
    expect(w.find('[role=alert]').text()).toContain('operators-api unavailable')
    expect(w.find('[role=alert] button').exists()).toBe(true)
  })
})
