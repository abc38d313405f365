import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'

vi.mock('../api.js', () => ({
  allPages: async (fn, query) => ({ items: (await fn(query)).items, truncated: false }),
  listContracts: vi.fn(),
  listEvaluations: vi.fn(),
  listFeeApplications: vi.fn(),
  listRectifications: vi.fn(),
  listServiceReports: vi.fn(),
  moderationQueue: vi.fn(),
}))
vi.mock('../../facilities/api.js', () => ({ listFacilities: vi.fn() }))
vi.mock('../../cases/api.js', () => ({ listCases: vi.fn() }))
vi.mock('../../ratings/api.js', () => ({ satisfaction: vi.fn() }))

import * as cases from '../../cases/api.js'
import * as facilitiesApi from '../../facilities/api.js'
import * as ratings from '../../ratings/api.js'
import * as api from '../api.js'
import { _forgetContext } from '../context.js'
import WorkbenchAlerts from '../components/WorkbenchAlerts.vue'
import { contracts, facilities, page, setup } from './helpers.js'

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
