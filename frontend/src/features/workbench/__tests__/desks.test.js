import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'

vi.mock('../api.js', () => ({
  allPages: async (fn, query) => ({ items: (await fn(query)).items, truncated: false }),
  listContracts: vi.fn(),
  inspectionChecklist: vi.fn(),
  listInspections: vi.fn(),
  recordInspection: vi.fn(),
  listRectifications: vi.fn(),
  reviewRectification: vi.fn(),
  withdrawRectification: vi.fn(),
  listEvaluations: vi.fn(),
  runEvaluation: vi.fn(),
  setExpertScore: vi.fn(),
  publishEvaluation: vi.fn(),
  decideAppeal: vi.fn(),
  evaluationVersions: vi.fn(async () => []),
  listFeeApplications: vi.fn(),
  decideFeeApplication: vi.fn(),
  listServiceReports: vi.fn(),
  crossCheckReport: vi.fn(),
  listAuditLog: vi.fn(),
  moderationQueue: vi.fn(),
  decideRating: vi.fn(),
  listBursts: vi.fn(),
  decideBurst: vi.fn(),
}))
vi.mock('../../facilities/api.js', () => ({ listFacilities: vi.fn(), listSubdistricts: vi.fn(async () => []) }))

import { ApiError } from '../../../api/http.js'
import * as facilitiesApi from '../../facilities/api.js'
import * as api from '../api.js'
import { _forgetContext } from '../context.js'
import AuditLogDesk from '../components/AuditLogDesk.vue'
import ContractsDesk from '../components/ContractsDesk.vue'
import EvaluationsDesk from '../components/EvaluationsDesk.vue'
import FeesDesk from '../components/FeesDesk.vue'
import InspectionForm from '../components/InspectionForm.vue'
import InspectionsDesk from '../components/InspectionsDesk.vue'
import ModerationDesk from '../components/ModerationDesk.vue'
import ReportsDesk from '../components/ReportsDesk.vue'
import { contracts, facilities, page, setup } from './helpers.js'

beforeEach(() => {
  vi.clearAllMocks()
  _forgetContext()
  api.listContracts.mockResolvedValue(page(contracts))
  facilitiesApi.listFacilities.mockResolvedValue(page(facilities))
})
const mountAs = (component, opts = {}) => mount(component, { props: opts.props || {}, global: { plugins: setup(opts).list } })

const rectification = {
  id: 1, contract_id: 3, operator_id: 1, facility_id: 114, source: 'inspection', finding: '免费开放时间未在入口显著位置公示', required_action: '在入口公示',
  deadline_on: '2026-12-13', status: 'responded', overdue: false, response: '已在入口张贴公示牌', responded_at: '2026-11-20T02:00:00Z', responded_late: false, version: 2,
}

describe('InspectionForm', () => {
  it('records an inspection against the checklist with a rectification and its deadline', async () => {
    api.inspectionChecklist.mockResolvedValue([
      { key: 'opening_hours', name_zh: '开放时间落实与公示', max_score: 15 },
      { key: 'safety', name_zh: '消防与安全管理', max_score: 15 },
    ])
    api.recordInspection.mockResolvedValue({ id: 30, score: '86.67', rectification_ids: [5] })
    const w = mountAs(InspectionForm, { props: { contracts, facilityName: (id) => `场馆${id}` } })
    await flushPromises()
    await w.find('[data-test=in-contract]').setValue('3')
    await flushPromises()
    expect(w.find('[data-test=in-facility]').element.value).toBe('114')
    const opening = w.find('[data-test=in-item-opening_hours]')
    await opening.find('[data-test=in-score]').setValue(11)
    await opening.find('[data-test=in-finding]').setValue('开放时间未公示')
    await opening.find('button').trigger('click') // order a rectification for this finding
    await w.find('[data-test=order-action]').setValue('一周内在入口公示')
    await w.find('[data-test=order-deadline]').setValue('2030-01-15')
    await w.find('form').trigger('submit')
    await flushPromises()
    const body = api.recordInspection.mock.calls[0][0]
    expect(body).toMatchObject({ contract_id: 3, facility_id: 114, announced: false })
    expect(body.items).toEqual([
      { key: 'opening_hours', score: '11', finding: '开放时间未公示' },
      { key: 'safety', score: '15', finding: '' },
    ])
    expect(body.rectifications).toEqual([{ finding: '开放时间未公示', required_action: '一周内在入口公示', deadline_on: '2030-01-15' }])
    expect(w.emitted('recorded')).toBeTruthy()
  })
})

describe('InspectionsDesk', () => {
  beforeEach(() => {
    api.listInspections.mockResolvedValue(page([]))
    api.inspectionChecklist.mockResolvedValue([])
  })

  it('accepts an operator’s answer with the reason', async () => {
    api.listRectifications.mockResolvedValue(page([rectification, { ...rectification, id: 2, status: 'open', response: null, overdue: true, facility_id: 110, contract_id: 4 }]))
    api.reviewRectification.mockResolvedValue({ ...rectification, status: 'accepted' })
    const w = mountAs(InspectionsDesk)
    await flushPromises()
    const rows = w.findAll('[data-test=rectifications-table] tbody tr')
    expect(rows[0].classes()).toContain('row-alert') // overdue first
    expect(rows[0].text()).toContain('已超期')
    await w.find('[data-test=handle-rect-1]').trigger('click')
    expect(w.find('[data-test=rect-response]').text()).toBe('已在入口张贴公示牌')
    const review = w.findAll('[data-test=rect-panel] form')[0]
    await review.find('[data-test=decision-reason]').setValue('现场核实已公示')
    await review.find('[data-test=decide-accepted]').trigger('click')
    await flushPromises()
    expect(api.reviewRectification).toHaveBeenCalledWith(1, { decision: 'accepted', reason: '现场核实已公示', new_deadline_on: null })
    expect(w.find('[data-test=rect-decided]').text()).toContain('已通过')
  })

  it('gives an auditor the lists without any action', async () => {
    api.listRectifications.mockResolvedValue(page([rectification]))
    const w = mountAs(InspectionsDesk, { role: 'auditor' })
    await flushPromises()
    expect(w.find('[data-test=rectifications-table]').exists()).toBe(true)
    expect(w.find('[data-test=handle-rect-1]').exists()).toBe(false)
    expect(w.find('[data-test=new-inspection]').exists()).toBe(false)
  })
})

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

describe('FeesDesk', () => {
  const application = {
    id: 4, operator_id: 1, contract_id: 3, facility_id: 114, service_id: 9, service_name: '市民文化沙龙', service_category: 'lecture', market_price_fen: 10000,
    proposed_fee_fen: 4000, special_group_free_percent: 20, special_group_fee_fen: 2000, justification: '按成本测算', guideline_version: 1,
    guideline_check: [{ field: 'proposed_fee_fen', code: 'fee-above-cap', ok: true, cap_fen: 5000, message: 'The fee may be at most 50%' }],
    status: 'submitted', decision_reason: null, submitted_at: '2026-11-21T02:00:00Z', version: 1,
  }

  it('approves a pending application with the reason', async () => {
    api.listFeeApplications.mockResolvedValue(page([application]))
    const w = mountAs(FeesDesk)
    await flushPromises()
    const card = w.find('[data-test=fee-4]')
    expect(card.text()).toContain('收费不超过市场价的上限（¥50.00）')
    expect(card.find('[data-test=decide-approved]').attributes('disabled')).toBeDefined()
    await card.find('[data-test=decision-reason]').setValue('符合指南')
    api.decideFeeApplication.mockResolvedValue({ ...application, status: 'approved' })
    api.listFeeApplications.mockResolvedValue(page([{ ...application, status: 'approved', decision_reason: '符合指南' }]))
    await card.find('[data-test=decide-approved]').trigger('click')
    await flushPromises()
    expect(api.decideFeeApplication).toHaveBeenCalledWith(4, 'approved', '符合指南')
    expect(w.find('[data-test=fee-message]').text()).toContain('已批准“市民文化沙龙”')
    expect(w.text()).toContain('没有待审批的申请')
    expect(w.find('[data-test=fees-table]').text()).toContain('已批准')
  })

  it('shows the refusal of a subdistrict official’s decision in their language', async () => {
    api.listFeeApplications.mockResolvedValue(page([application]))
    api.decideFeeApplication.mockRejectedValue(new ApiError({ status: 403, title: 'Forbidden', detail: 'This contract belongs to the district.' }))
    const w = mountAs(FeesDesk, { subdistrict: 'jingshan' })
    await flushPromises()
    await w.find('[data-test=decision-reason]').setValue('同意')
    await w.find('[data-test=decide-rejected]').trigger('click')
    await flushPromises()
    expect(w.find('.notice-error').text()).toContain('您没有权限进行此操作')
  })

  it('shows an auditor no decision form', async () => {
    api.listFeeApplications.mockResolvedValue(page([application]))
    const w = mountAs(FeesDesk, { role: 'auditor' })
    await flushPromises()
    expect(w.find('[data-test=fee-4]').exists()).toBe(true)
    expect(w.find('[data-test=decide-approved]').exists()).toBe(false)
  })
})

describe('ModerationDesk', () => {
  const rating = {
    id: 4560, target_type: 'facility', target_id: 110, facility_id: 110, overall: 4, comment: '工作人员就是垃圾东西', comment_status: 'pending', status: 'visible',
    author: '居民***', created_at: '2026-10-24T23:11:38Z',
  }
  it('rejects a held comment with the reason and releases a burst', async () => {
    api.moderationQueue.mockResolvedValue(page([rating]))
    api.listBursts.mockResolvedValue(page([{ id: 2, target_type: 'facility', target_id: 111, facility_id: 111, reason: 'new_accounts', rating_count: 12, status: 'open', detected_at: '2026-11-20T00:00:00Z' }]))
    api.decideRating.mockResolvedValue({ ...rating, comment_status: 'rejected' })
    api.decideBurst.mockResolvedValue({})
    const w = mountAs(ModerationDesk)
    await flushPromises()
    const card = w.find('[data-test=rating-4560]')
    expect(card.find('[data-test=rating-comment]').text()).toBe('工作人员就是垃圾东西')
    expect(card.text()).toContain('史家胡同博物馆')
    await card.find('[data-test=decision-reason]').setValue('辱骂工作人员')
    await card.find('[data-test=decide-reject_comment]').trigger('click')
    await flushPromises()
    expect(api.decideRating).toHaveBeenCalledWith(4560, 'reject_comment', '辱骂工作人员')
    expect(w.find('[data-test=moderation-message]').text()).toContain('评论未通过')
    const burst = w.find('[data-test=burst-2]')
    expect(burst.text()).toContain('12 条评价，来自新注册账号')
    await burst.find('[data-test=decision-reason]').setValue('核实为真实评价')
    await burst.find('[data-test=decide-release]').trigger('click')
    await flushPromises()
    expect(api.decideBurst).toHaveBeenCalledWith(2, 'release', '核实为真实评价')
  })

  it('says when there is nothing to moderate', async () => {
    api.moderationQueue.mockResolvedValue(page([]))
    api.listBursts.mockResolvedValue(page([]))
    const w = mountAs(ModerationDesk, { locale: 'en' })
    await flushPromises()
    expect(w.text()).toContain('Nothing to moderate')
    expect(w.text()).toContain('No suspected burst to review')
  })
})

describe('AuditLogDesk', () => {
  it('sends the filters to the API and shows the entries with an export', async () => {
    const entry = { id: 5, entity_type: 'fee_application', entity_id: 4, action: 'approved', from_state: 'submitted', to_state: 'approved', actor: '3', actor_role: 'official', actor_name: '王科长', reason: '符合指南', details: {}, request_id: 'abc', at: '2026-11-23T02:00:00Z' }
    api.listAuditLog.mockResolvedValue({ items: [entry], next_cursor: 'c1' })
    const w = mountAs(AuditLogDesk)
    await flushPromises()
    await w.find('[data-test=audit-type]').setValue('fee_application')
    await w.find('[data-test=audit-action]').setValue('approved')
    await w.find('[data-test=audit-filters]').trigger('submit')
    await flushPromises()
    expect(api.listAuditLog).toHaveBeenLastCalledWith(expect.objectContaining({ entity_type: 'fee_application', action: 'approved' }))
    const row = w.find('[data-test=audit-table] tbody tr')
    expect(row.text()).toContain('收费申请 #4')
    expect(row.text()).toContain('submitted → approved')
    expect(row.text()).toContain('符合指南')
    expect(w.find('[data-test=audit-table]').text()).toContain('导出 CSV')
    api.listAuditLog.mockResolvedValue({ items: [{ ...entry, id: 6 }], next_cursor: null })
    await w.find('[data-test=audit-more]').trigger('click')
    await flushPromises()
    expect(w.findAll('[data-test=audit-table] tbody tr')).toHaveLength(2)
    expect(w.find('[data-test=audit-more]').exists()).toBe(false)
  })

  it('shows a failure with a retry', async () => {
    api.listAuditLog.mockRejectedValue(new ApiError({ kind: 'network', title: 'network' }))
    const w = mountAs(AuditLogDesk)
    await flushPromises()
    expect(w.find('.notice-error').text()).toContain('网络连接失败')
  })
})

describe('ContractsDesk', () => {
  it('puts KPI targets beside the latest actuals and marks a short one', async () => {
    api.listEvaluations.mockResolvedValue(
      page([
        { id: 1, contract_id: 3, period: '2026-Q2', period_end_on: '2026-06-30', components: { kpi: { items: { open_hours_per_week: { target: 42, actual: '45' } } } } },
        { id: 2, contract_id: 3, period: '2026-Q3', period_end_on: '2026-09-30', components: { kpi: { items: { open_hours_per_week: { target: 42, actual: '40.33' }, activities_per_month: { target: 8, actual: '9' } } } } },
      ]),
    )
    const w = mountAs(ContractsDesk)
    await flushPromises()
    const row = w.findAll('[data-test=contracts-table] tbody tr')[0]
    expect(row.text()).toContain('2026-Q3')
    expect(row.text()).toContain('40.33 / 42')
    expect(row.find('.wb-bad').text()).toContain('40.33 / 42')
    expect(row.text()).toContain('9 / 8')
  })
})

describe('ReportsDesk', () => {
  it('shows a flagged report’s figures side by side, the discrepancy marked', async () => {
    api.listServiceReports.mockResolvedValue(
      page([{
        id: 62, contract_id: 4, operator_id: 3, month: '2026-09', flagged: true, summary: '', filed_at: '2026-10-02T00:00:00Z',
        cross_check: { tolerance_percent: 10, checked_at: '2026-10-03T02:00:00Z', lines: [{ facility_id: 110, figures: [{ figure: 'participants', reported: '232', recorded: '166', source: 'facilities-api', difference: '66', difference_percent: '39.76', flagged: true }] }], missing: [] },
      }]),
    )
    const w = mountAs(ReportsDesk)
    await flushPromises()
    expect(api.listServiceReports).toHaveBeenCalledWith(expect.objectContaining({ flagged: true }))
    await w.find('[data-test=open-report-62]').trigger('click')
    const figure = w.find('[data-test=report-panel] tbody tr')
    expect(figure.classes()).toContain('row-alert')
    expect(figure.text()).toContain('参与人次')
    expect(figure.text()).toContain('39.76%')
  })
})
