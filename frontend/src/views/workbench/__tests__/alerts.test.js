import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'

vi.mock('../../../api/paging.js', () => ({
  allPages: async (fn, query) => ({ items: (await fn(query)).items, truncated: false }),
}))
vi.mock('../../../features/contracts/api.js', () => ({ listContracts: vi.fn() }))
vi.mock('../../../features/evaluations/api.js', () => ({ listEvaluations: vi.fn() }))
vi.mock('../../../features/fees/api.js', () => ({ listFeeApplications: vi.fn() }))
vi.mock('../../../features/inspections/api.js', () => ({ listRectifications: vi.fn() }))
vi.mock('../../../features/reports/api.js', () => ({ listServiceReports: vi.fn() }))
vi.mock('../../../features/moderation/api.js', () => ({ moderationQueue: vi.fn() }))
vi.mock('../../../features/facilities/api.js', () => ({ listFacilities: vi.fn() }))
vi.mock('../../../features/cases/api.js', () => ({ listCases: vi.fn() }))
vi.mock('../../../features/ratings/api.js', () => ({ satisfaction: vi.fn() }))

import * as cases from '../../../features/cases/api.js'
import * as facilitiesApi from '../../../features/facilities/api.js'
import * as ratings from '../../../features/ratings/api.js'
import * as contractsApi from '../../../features/contracts/api.js'
import * as evaluationsApi from '../../../features/evaluations/api.js'
import * as feesApi from '../../../features/fees/api.js'
import * as inspectionsApi from '../../../features/inspections/api.js'
import * as moderationApi from '../../../features/moderation/api.js'
import * as reportsApi from '../../../features/reports/api.js'
import { _forgetContext } from '../../../composables/useWorkbenchContext.js'
import WorkbenchAlerts from '../WorkbenchAlerts.vue'
import { contracts, facilities, page, setup } from '../../../components/__tests__/workbench.js'

const api = { ...contractsApi, ...evaluationsApi, ...feesApi, ...inspectionsApi, ...moderationApi, ...reportsApi }

beforeEach(() => {
  vi.clearAllMocks()
  _forgetContext()
  api.listContracts.mockResolvedValue(page(contracts))
  facilitiesApi.listFacilities.mockResolvedValue(page(facilities))
  cases.listCases.mockResolvedValue(page([{ id: 1 }, { id: 2 }]))
  api.listRectifications.mockResolvedValue(page([{ id: 1, contract_id: 3 }, { id: 2, contract_id: 4 }]))
  api.listServiceReports.mockResolvedValue(page([{ id: 62, contract_id: 4 }]))
  api.listFeeApplications.mockResolvedValue(page([{ id: 4, contract_id: 3, facility_id: 114 }]))
  api.moderationQueue.mockResolvedValue(page([]))
  api.listEvaluations.mockResolvedValue(page([{ id: 1, contract_id: 3, appeal: { status: 'submitted' } }, { id: 2, contract_id: 4, appeal: null }]))
  ratings.satisfaction.mockResolvedValue({ ranking: [{ subdistrict: 'jingshan', ratings: { insufficient_data: false, smoothed_mean: '3.1' } }, { subdistrict: 'donghuamen', ratings: { insufficient_data: false, smoothed_mean: '3.2' } }] })
})

describe('WorkbenchAlerts', () => {
  it('counts what needs attention, linked to where it is handled', async () => {
    const w = mount(WorkbenchAlerts, { global: { plugins: setup().list } })
    await flushPromises()
    expect(w.find('[data-test=alert-rectifications] .value').text()).toBe('2')
    expect(w.find('[data-test=alert-rectifications]').classes()).toContain('tile-alert')
    expect(w.find('[data-test=alert-rectifications]').attributes('href')).toContain('overdue=1')
    expect(w.find('[data-test=alert-lowSatisfaction] .value').text()).toBe('2')
    expect(w.find('[data-test=alert-moderation]').classes()).not.toContain('tile-alert')
    expect(w.find('[data-test=alert-appeals] .value').text()).toBe('1')
  })

  it('counts a subdistrict official’s subdistrict only', async () => {
    const w = mount(WorkbenchAlerts, { global: { plugins: setup({ subdistrict: 'jingshan' }).list } })
    await flushPromises()
    expect(w.find('[data-test=alert-rectifications] .value').text()).toBe('1')
    expect(w.find('[data-test=alert-reports] .value').text()).toBe('0')
    expect(w.find('[data-test=alert-lowSatisfaction] .value').text()).toBe('1')
  })

  it('shows a dash for a source that does not answer', async () => {
    api.listServiceReports.mockRejectedValue(new Error('down'))
    const w = mount(WorkbenchAlerts, { global: { plugins: setup().list } })
    await flushPromises()
    expect(w.find('[data-test=alert-reports] .value').text()).toBe('—')
  })
})
