import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'

vi.mock('../api.js', async (importOriginal) => ({
  ...(await importOriginal()),
  listContracts: vi.fn(),
  getContract: vi.fn(),
}))
vi.mock('../../evaluations/api.js', async (importOriginal) => ({
  ...(await importOriginal()),
  listEvaluations: vi.fn(async () => ({ items: [], next_cursor: null })),
}))
vi.mock('../../inspections/api.js', async (importOriginal) => ({
  ...(await importOriginal()),
  listInspections: vi.fn(async () => ({ items: [], next_cursor: null })),
  listRectifications: vi.fn(async () => ({ items: [], next_cursor: null })),
}))
vi.mock('../../facilities/api.js', () => ({ listFacilities: vi.fn(), listSubdistricts: vi.fn(async () => []) }))

import * as facilitiesApi from '../../facilities/api.js'
import * as api from '../api.js'
import ContractDesk from '../components/ContractDesk.vue'
import { _forgetContext } from '../../../composables/useWorkbenchContext.js'
import { contracts, facilities, page, setup } from '../../../components/__tests__/workbench.js'

beforeEach(() => {
  vi.clearAllMocks()
  _forgetContext()
  api.listContracts.mockResolvedValue(page(contracts))
  facilitiesApi.listFacilities.mockResolvedValue(page(facilities))
})

describe('ContractDesk: the hand-over', () => {
  it('says an active contract has not handed its facilities over before its start date', async () => {
    api.getContract.mockResolvedValue({ ...contracts[0], starts_on: '2027-01-01', handed_over_at: null, version: 1 })
    const w = mount(ContractDesk, { props: { id: 3 }, global: { plugins: setup().list } })
    await flushPromises()
    expect(w.find('[data-test=contract-handover]').text()).toContain('合同开始日')
  })

  it('shows when the facilities were handed over', async () => {
    api.getContract.mockResolvedValue({ ...contracts[0], handed_over_at: '2025-09-30T16:00:00Z', version: 1 })
    const w = mount(ContractDesk, { props: { id: 3 }, global: { plugins: setup({ locale: 'en' }).list } })
    await flushPromises()
    expect(w.find('[data-test=contract-handover]').text()).not.toContain('Not yet')
    expect(w.find('[data-test=contract-handover]').text()).toMatch(/2025/)
  })
})
