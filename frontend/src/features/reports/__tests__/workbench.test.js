import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'

vi.mock('../../../api/paging.js', () => ({
  allPages: async (fn, query) => ({ items: (await fn(query)).items, truncated: false }),
}))
vi.mock('../../contracts/api.js', () => ({
  listContracts: vi.fn(),
}))
vi.mock('../api.js', () => ({
  listServiceReports: vi.fn(),
  crossCheckReport: vi.fn(),
}))
vi.mock('../../facilities/api.js', () => ({ listFacilities: vi.fn(), listSubdistricts: vi.fn(async () => []) }))

import { contracts, facilities, page, setup } from '../../../components/__tests__/workbench.js'
import { _forgetContext } from '../../../composables/useWorkbenchContext.js'
import * as facilitiesApi from '../../facilities/api.js'
import * as contractsApi from '../../contracts/api.js'
import * as reportsApi from '../api.js'
import ReportsDesk from '../components/ReportsDesk.vue'

const api = { ...contractsApi, ...reportsApi }

beforeEach(() => {
  vi.clearAllMocks()
  _forgetContext()
  api.listContracts.mockResolvedValue(page(contracts))
  facilitiesApi.listFacilities.mockResolvedValue(page(facilities))
})
const mountAs = (component, opts = {}) => mount(component, { props: opts.props || {}, global: { plugins: setup(opts).list } })

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
