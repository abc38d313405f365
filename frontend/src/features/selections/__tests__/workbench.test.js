import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'

vi.mock('../../../api/paging.js', () => ({
  allPages: async (fn, query) => ({ items: (await fn(query)).items, truncated: false }),
}))
vi.mock('../../contracts/api.js', () => ({ listContracts: vi.fn() }))
vi.mock('../api.js', () => ({
  listSelections: vi.fn(),
  createSelection: vi.fn(),
  getSelection: vi.fn(),
  listBids: vi.fn(),
  listPanel: vi.fn(),
  getRanking: vi.fn(),
  addPanelMember: vi.fn(),
  declareConflicts: vi.fn(),
  scoreBid: vi.fn(),
  awardSelection: vi.fn(),
  changeSelectionStatus: vi.fn(),
}))
vi.mock('../../facilities/api.js', () => ({ listFacilities: vi.fn(), listSubdistricts: vi.fn(async () => [{ code: 'jingshan', name_zh: '景山街道', name_en: 'Jingshan' }]) }))

import { ApiError } from '../../../api/http.js'
import * as facilitiesApi from '../../facilities/api.js'
import * as contractsApi from '../../contracts/api.js'
import * as api from '../api.js'
import { _forgetContext } from '../../../composables/useWorkbenchContext.js'
import SelectionDesk from '../components/SelectionDesk.vue'
import SelectionForm from '../components/SelectionForm.vue'
import SelectionsDesk from '../components/SelectionsDesk.vue'
import { contracts, facilities, page, setup } from '../../../components/__tests__/workbench.js'

const criteria = [
  { key: 'price', name_zh: '报价', kind: 'price', weight: 30 },
  { key: 'service_plan', name_zh: '服务方案', kind: 'quality', weight: 40 },
  { key: 'team', name_zh: '团队与经验', kind: 'quality', weight: 30 },
]
const selection = {
  id: 9, reference: 'DCWL-2026-00009', title: '景山街道阅读空间社会化运营服务项目', description: '', scope: '', purchaser_subdistrict: null,
  method: 'single_source', min_valid_bids: 1, budget_fen: 1000000, facility_ids: [114], criteria, price_formula: { kind: 'lowest_price_base' },
  trim_extremes: false, bids_open_at: '2026-11-23T01:00:00Z', bids_close_at: '2026-11-23T02:00:00Z', service_starts_on: '2027-01-01',
  service_ends_on: '2027-12-31', status: 'evaluating', status_reason: '截标', bids_received: 1, award: null, result: null, version: 4,
}
const bid = { id: 7, selection_id: 9, operator_id: 1, operator_name: '美后肆时文化发展有限公司', price_fen: 900000, proposal_summary: '方案', documents: [], status: 'submitted', submitted_at: '2026-11-23T01:30:00Z', version: 1 }

beforeEach(() => {
  vi.clearAllMocks()
  _forgetContext()
  contractsApi.listContracts.mockResolvedValue(page(contracts))
  facilitiesApi.listFacilities.mockResolvedValue(page(facilities))
})

describe('SelectionForm', () => {
  function mountForm() {
    const p = setup()
    return mount(SelectionForm, { props: { facilities }, global: { plugins: p.list } })
  }

  it('keeps the weights at 100 in sight and sends the selection in the API’s terms', async () => {
    api.createSelection.mockResolvedValue({ ...selection, status: 'draft' })
    const w = mountForm()
    expect(w.find('[data-test=sf-weight-sum]').text()).toContain('100 / 100')
    await w.find('[data-test=sf-weight-1]').setValue(50)
    expect(w.find('[data-test=sf-weight-sum]').text()).toContain('110 / 100')
    expect(w.find('[data-test=sf-weight-sum]').classes()).toContain('wb-bad')
    await w.find('[data-test=sf-weight-1]').setValue(40)
    await w.find('[data-test=sf-title]').setValue('景山街道阅读空间社会化运营服务项目')
    await w.find('[data-test=sf-budget]').setValue('12,000.50')
    await w.find('[data-test=sf-facilities]').setValue(['114'])
    await w.find('[data-test=sf-opens]').setValue('2026-12-01T09:00')
    await w.find('[data-test=sf-closes]').setValue('2026-12-15T17:00')
    await w.find('form').trigger('submit')
    await flushPromises()
    const body = api.createSelection.mock.calls[0][0]
    expect(body).toMatchObject({
      title: '景山街道阅读空间社会化运营服务项目',
      budget_fen: 1200050,
      facility_ids: [114],
      bids_open_at: '2026-12-01T09:00:00+08:00',
      bids_close_at: '2026-12-15T17:00:00+08:00',
    })
    expect(body.criteria.map((c) => c.weight)).toEqual([30, 40, 30])
    expect(w.emitted('created')[0][0].id).toBe(9)
  })

  it('shows the API’s refusal in the reader’s language beside the field', async () => {
    api.createSelection.mockRejectedValue(
      new ApiError({ status: 422, title: 'Unprocessable', errors: [{ field: 'criteria', code: 'weights-sum', message: 'The criteria’s weights sum to 90; they must sum to 100.' }] }),
    )
    const w = mountForm()
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(w.find('.notice-error').text()).toContain('填写的内容有误')
    expect(w.text()).toContain('they must sum to 100')
  })
})

describe('SelectionsDesk', () => {
  it('shows a subdistrict official the selections of their subdistrict only, with an export', async () => {
    api.listSelections.mockResolvedValue(
      page([
        { ...selection, id: 1, title: '全区文体中心连锁运营', facility_ids: [110], purchaser_subdistrict: null, status: 'awarded', award: { operator_name: '京城文化' } },
        { ...selection, id: 2, title: '景山阅读空间', facility_ids: [114], purchaser_subdistrict: 'jingshan' },
      ]),
    )
    const p = setup({ subdistrict: 'jingshan' })
    const w = mount(SelectionsDesk, { global: { plugins: p.list } })
    await flushPromises()
    const rows = w.findAll('[data-test=selections-table] tbody tr')
    expect(rows).toHaveLength(1)
    expect(rows[0].text()).toContain('景山阅读空间')
    expect(w.find('[data-test=selections-table]').text()).toContain('导出 CSV')
  })

  it('says so when there is nothing, and offers an official a new selection', async () => {
    api.listSelections.mockResolvedValue(page([]))
    const p = setup()
    const w = mount(SelectionsDesk, { global: { plugins: p.list } })
    await flushPromises()
    expect(w.text()).toContain('暂无遴选项目')
    await w.find('[data-test=new-selection]').trigger('click')
    expect(w.find('[data-test=selection-form]').exists()).toBe(true)
  })
})

describe('SelectionDesk', () => {
  function mountDesk({ role = 'official', sel = selection, panel = [], ranking } = {}) {
    api.getSelection.mockResolvedValue(sel)
    api.listBids.mockResolvedValue([bid])
    api.listPanel.mockResolvedValue(panel)
    api.getRanking.mockResolvedValue(
      ranking || { selection_id: 9, scoring_complete: false, missing: [], items: [{ rank: 1, bid_id: 7, operator_id: 1, operator_name: bid.operator_name, price_fen: 900000, price_score: '30.00', criteria: { price: '30.00', service_plan: null, team: null }, total: '30.00', complete: false }] },
    )
    const p = setup({ role })
    return mount(SelectionDesk, { props: { id: '9' }, global: { plugins: p.list } })
  }

  it('lets an official join the panel, then declare', async () => {
    api.addPanelMember.mockResolvedValue({})
    const w = mountDesk()
    await flushPromises()
    expect(w.find('[data-test=bids-table]').text()).toContain('美后肆时文化发展有限公司')
    api.listPanel.mockResolvedValue([{ id: 1, sub: '3', display_name: '王科长', kind: 'official', declared: false, conflicted_operator_ids: [] }])
    await w.find('[data-test=join-panel]').trigger('click')
    await flushPromises()
    expect(api.addPanelMember).toHaveBeenCalledWith(9, { sub: '3', display_name: '王科长', kind: 'official' })
    expect(w.find('[data-test=declaration-form]').exists()).toBe(true)
    api.declareConflicts.mockResolvedValue({})
    await w.find('[data-test=declaration-form]').trigger('submit')
    await flushPromises()
    expect(api.declareConflicts).toHaveBeenCalledWith(9, { conflicted_operator_ids: [], statement: '本人与各投标人均无利害关系。' })
  })

  it('scores a bid on each quality criterion and shows the total as the API computes it', async () => {
    const w = mountDesk({ panel: [{ id: 1, sub: '3', display_name: '王科长', kind: 'official', declared: true, conflicted_operator_ids: [] }] })
    await flushPromises()
    const sheet = w.find('[data-test=score-sheet-7]')
    expect(sheet.text()).toContain('服务方案（0–40）')
    await sheet.find('[data-test=score-service_plan]').setValue(35.5)
    await sheet.find('[data-test=score-team]').setValue(28)
    api.scoreBid.mockResolvedValue({ bid_id: 7, member_id: 1, scores: {} })
    api.getRanking.mockResolvedValue({
      selection_id: 9, scoring_complete: true, missing: [],
      items: [{ rank: 1, bid_id: 7, operator_id: 1, operator_name: bid.operator_name, price_fen: 900000, price_score: '30.00', criteria: { price: '30.00', service_plan: '35.50', team: '28.00' }, total: '93.50', complete: true }],
    })
    await sheet.trigger('submit')
    await flushPromises()
    expect(api.scoreBid).toHaveBeenCalledWith(9, 7, { service_plan: '35.5', team: '28' })
    expect(w.find('[data-test=scores-saved]').exists()).toBe(true)
    const ranking = w.find('[data-test=ranking-table] tbody tr')
    expect(ranking.text()).toContain('93.50')
    expect(ranking.text()).toContain('35.50')
  })

  it('awards the top-ranked bid with the reason and shows the published result', async () => {
    const w = mountDesk({ panel: [{ id: 1, sub: '3', display_name: '王科长', kind: 'official', declared: true, conflicted_operator_ids: [] }] })
    await flushPromises()
    const form = w.find('[data-test=award-form]')
    expect(form.find('[data-test=decide-award]').attributes('disabled')).toBeDefined()
    await form.find('[data-test=decision-reason]').setValue('综合得分第一')
    api.awardSelection.mockResolvedValue({})
    api.getSelection.mockResolvedValue({
      ...selection, status: 'awarded', award: { bid_id: 7, operator_id: 1, operator_name: bid.operator_name, price_fen: 900000, total_score: '93.50', reason: '综合得分第一', awarded_at: '2026-11-23T03:00:00Z' }, result: [],
    })
    await form.find('[data-test=decide-award]').trigger('click')
    await flushPromises()
    expect(api.awardSelection).toHaveBeenCalledWith(9, { bid_id: null, reason: '综合得分第一' })
    expect(w.find('[data-test=award-result]').text()).toContain('已授予 美后肆时文化发展有限公司，总分 93.50')
    expect(w.find('[data-test=award-form]').exists()).toBe(false)
  })

  it('shows an auditor the selection without any action', async () => {
    const w = mountDesk({ role: 'auditor' })
    await flushPromises()
    expect(w.find('[data-test=ranking-table]').exists()).toBe(true)
    expect(w.find('[data-test=selection-status-form]').exists()).toBe(false)
    expect(w.find('[data-test=award-form]').exists()).toBe(false)
    expect(w.find('[data-test=join-panel]').exists()).toBe(false)
  })

  it('shows an error the API gives, with a retry', async () => {
    api.getSelection.mockRejectedValue(new ApiError({ status: 404, title: 'Not Found', detail: 'No selection 9.' }))
    const p = setup()
    const w = mount(SelectionDesk, { props: { id: '9' }, global: { plugins: p.list } })
    await flushPromises()
    expect(w.find('.notice-error').text()).toContain('没有找到相关内容')
    expect(w.find('.notice-error button').text()).toBe('重试')
  })
})
