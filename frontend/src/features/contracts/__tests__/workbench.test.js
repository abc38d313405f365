import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'

vi.mock('../../../api/paging.js', () => ({
  allPages: async (fn, query) => ({ items: (await fn(query)).items, truncated: false }),
}))
vi.mock('../api.js', () => ({
  listContracts: vi.fn(),
}))
vi.mock('../../evaluations/api.js', () => ({
  listEvaluations: vi.fn(),
}))
vi.mock('../../facilities/api.js', () => ({ listFacilities: vi.fn(), listSubdistricts: vi.fn(async () => []) }))

import { contracts, facilities, page, setup } from '../../../components/__tests__/workbench.js'
import { _forgetContext } from '../../../composables/useWorkbenchContext.js'
import * as facilitiesApi from '../../facilities/api.js'
import * as contractsApi from '../api.js'
import * as evaluationsApi from '../../evaluations/api.js'
import ContractsDesk from '../components/ContractsDesk.vue'

const api = { ...contractsApi, ...evaluationsApi }

beforeEach(() => {
  vi.clearAllMocks()
  _forgetContext()
  api.listContracts.mockResolvedValue(page(contracts))
  facilitiesApi.listFacilities.mockResolvedValue(page(facilities))
})
const mountAs = (component, opts = {}) => mount(component, { props: opts.props || {}, global: { plugins: setup(opts).list } })

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
