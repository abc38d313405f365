import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'

vi.mock('../../../api/paging.js', () => ({
  allPages: async (fn, query) => ({ items: (await fn(query)).items, truncated: false }),
}))
vi.mock('../../contracts/api.js', () => ({
  listContracts: vi.fn(),
}))
vi.mock('../api.js', () => ({
  listEvaluations: vi.fn(),
  runEvaluation: vi.fn(),
  setExpertScore: vi.fn(),
  publishEvaluation: vi.fn(),
  decideAppeal: vi.fn(),
  evaluationVersions: vi.fn(async () => []),
}))
vi.mock('../../facilities/api.js', () => ({ listFacilities: vi.fn(), listSubdistricts: vi.fn(async () => []) }))

import { ApiError } from '../../../api/http.js'
import { contracts, facilities, page, setup } from '../../../components/__tests__/workbench.js'
import { _forgetContext } from '../../../composables/useWorkbenchContext.js'
import * as facilitiesApi from '../../facilities/api.js'
import * as contractsApi from '../../contracts/api.js'
import * as evaluationsApi from '../api.js'
import EvaluationsDesk from '../components/EvaluationsDesk.vue'

const api = { ...contractsApi, ...evaluationsApi }

beforeEach(() => {
  vi.clearAllMocks()
  _forgetContext()
  api.listContracts.mockResolvedValue(page(contracts))
  facilitiesApi.listFacilities.mockResolvedValue(page(facilities))
})
const mountAs = (component, opts = {}) => mount(component, { props: opts.props || {}, global: { plugins: setup(opts).list } })

describe('EvaluationsDesk', () => {
  const evaluation = (over) => ({
    id: 1, contract_id: 3, operator_id: 1, period: '2026-Q2', status: 'published', score: '43.01', provisional_score: null, grade: 'fail', grade_zh: '不合格',
    missing_inputs: [], components: {}, appeal: null, version: 3, period_end_on: '2026-06-30', ...over,
  })

  it('lists by period with grades in the reader’s language', async () => {
    api.listEvaluations.mockResolvedValue(page([evaluation(), evaluation({ id: 2, period: '2026-Q3', grade: 'excellent', score: '95.65' })]))
    const w = mountAs(EvaluationsDesk, { locale: 'en' })
    await flushPromises()
    expect(w.findAll('[data-test=evaluations-table] tbody tr')).toHaveLength(2)
    await w.find('[data-test=ev-filter-period]').setValue('2026-Q3')
    const rows = w.findAll('[data-test=evaluations-table] tbody tr')
    expect(rows).toHaveLength(1)
    expect(rows[0].text()).toContain('Excellent')
  })

  it('decides an appeal: upheld with corrected inputs (never a typed-in score) and the reason', async () => {
    const components = {
      kpi: { score: '40.00', complete: true, items: { activities_per_month: { target: '10', actual: '4.00', attainment: '40.00', source: 'operators-api:service-reports' } } },
      inspection: { score: '60.00', complete: true, inspections: [{ id: 7, inspected_on: '2026-05-12', score_centi: 6000, facility_id: 114 }] },
      expert: { score: '70.00', complete: true },
    }
    const appealed = evaluation({ components, appeal: { id: 1, reason: '满意度数据有误', status: 'submitted', submitted_at: '2026-07-10T00:00:00Z', documents: [{ title: '暴雨停课通知', url: 'https://example.org/notice.pdf' }] } })
    api.listEvaluations.mockResolvedValue(page([appealed]))
    api.evaluationVersions.mockResolvedValue([])
    api.decideAppeal.mockResolvedValue({ ...appealed, grade: 'pass', score: '65.00' })
    const w = mountAs(EvaluationsDesk)
    await flushPromises()
    await w.find('[data-test=open-ev-1]').trigger('click')
    await flushPromises()
    expect(w.find('[data-test=appeal-reason]').text()).toBe('满意度数据有误')
    expect(w.find('[data-test=appeal-documents]').text()).toContain('暴雨停课通知')
    const form = w.find('[data-test=appeal-form]')
    expect(form.find('[data-test=revised-score]').exists()).toBe(false)
    await form.find('[data-test=decision-reason]').setValue('复核活动台账后更正')
    // Upholding needs at least one corrected input.
    expect(form.find('[data-test=decide-upheld]').attributes('disabled')).toBeDefined()
    const options = form.findAll('[data-test=correction-input] option').map((o) => o.attributes('value'))
    expect(options).toEqual(['', 'kpi.activities_per_month', 'inspection.7', 'expert'])
    await form.find('[data-test=correction-input]').setValue('kpi.activities_per_month')
    expect(form.text()).toContain('当前记录：4.00')
    await form.find('[data-test=correction-value]').setValue('9')
    await form.find('[data-test=correction-reason]').setValue('两场活动因暴雨取消，已报备')
    await form.find('[data-test=add-correction]').trigger('click')
    expect(form.find('[data-test="correction-kpi.activities_per_month"]').text()).toContain('4.00 → 9')
    await form.find('[data-test=decide-upheld]').trigger('click')
    await flushPromises()
    expect(api.decideAppeal).toHaveBeenCalledWith(1, {
      decision: 'upheld', reason: '复核活动台账后更正',
      corrections: [{ input: 'kpi.activities_per_month', value: '9', reason: '两场活动因暴雨取消，已报备' }],
    })
    expect(w.find('[data-test=ev-message]').text()).toContain('合格')
  })

  it('shows both versions of an evaluation revised by an upheld appeal', async () => {
    const revised = evaluation({ score: '65.00', original_score: '43.01', grade: 'pass', appeal: { id: 1, reason: '有误', status: 'upheld', submitted_at: '2026-07-10T00:00:00Z', documents: [] } })
    api.listEvaluations.mockResolvedValue(page([revised]))
    api.evaluationVersions.mockResolvedValue([
      { number: 1, kind: 'published', score: '43.01', grade: 'fail', components: {}, consequences: {}, corrections: [], reason: null, made_at: '2026-07-01T02:00:00Z' },
      { number: 2, kind: 'appeal_upheld', score: '65.00', grade: 'pass', components: {}, consequences: {}, corrections: [{ input: 'expert', from: '40.00', to: '90.00', reason: '评估报告漏算' }], reason: '复核', made_at: '2026-07-20T02:00:00Z' },
    ])
    const w = mountAs(EvaluationsDesk, { locale: 'en' })
    await flushPromises()
    await w.find('[data-test=open-ev-1]').trigger('click')
    await flushPromises()
    expect(api.evaluationVersions).toHaveBeenCalledWith(1)
    expect(w.find('[data-test=ev-version-1]').text()).toContain('As published')
    expect(w.find('[data-test=ev-version-1]').text()).toContain('Fail')
    const second = w.find('[data-test=ev-version-2]').text()
    expect(second).toContain('65.00')
    expect(second).toContain('40.00 → 90.00')
    expect(w.find('[data-test=appeal-form]').exists()).toBe(false)
  })

  it('runs an evaluation and shows a refusal in the reader’s language', async () => {
    api.listEvaluations.mockResolvedValue(page([]))
    api.runEvaluation.mockRejectedValue(new ApiError({ status: 409, title: 'Conflict', detail: 'The period 2026-Q4 has not ended.' }))
    const w = mountAs(EvaluationsDesk)
    await flushPromises()
    await w.find('[data-test=ev-contract]').setValue('3')
    await w.find('[data-test=ev-period]').setValue('2026-Q4')
    await w.find('[data-test=run-evaluation] form').trigger('submit')
    await flushPromises()
    expect(api.runEvaluation).toHaveBeenCalledWith({ contract_id: 3, period: '2026-Q4' })
    expect(w.find('.notice-error').text()).toContain('操作冲突')
    expect(w.find('.notice-error').text()).toContain('has not ended')
  })
})
