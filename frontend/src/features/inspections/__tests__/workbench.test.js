import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'

vi.mock('../../../api/paging.js', () => ({
  allPages: async (fn, query) => ({ items: (await fn(query)).items, truncated: false }),
}))
vi.mock('../../contracts/api.js', () => ({
  listContracts: vi.fn(),
}))
vi.mock('../api.js', () => ({
  inspectionChecklist: vi.fn(),
  listInspections: vi.fn(),
  recordInspection: vi.fn(),
  listRectifications: vi.fn(),
  reviewRectification: vi.fn(),
  withdrawRectification: vi.fn(),
}))
vi.mock('../../facilities/api.js', () => ({ listFacilities: vi.fn(), listSubdistricts: vi.fn(async () => []) }))

import { contracts, facilities, page, setup } from '../../../components/__tests__/workbench.js'
import { _forgetContext } from '../../../composables/useWorkbenchContext.js'
import * as facilitiesApi from '../../facilities/api.js'
import * as contractsApi from '../../contracts/api.js'
import * as inspectionsApi from '../api.js'
import InspectionForm from '../components/InspectionForm.vue'
import InspectionsDesk from '../components/InspectionsDesk.vue'

const api = { ...contractsApi, ...inspectionsApi }

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
