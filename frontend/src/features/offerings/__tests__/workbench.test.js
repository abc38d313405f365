import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'

vi.mock('../api.js', async (importOriginal) => ({
  ...(await importOriginal()),
  listServiceProposals: vi.fn(),
  decideServiceProposal: vi.fn(),
}))
vi.mock('../../contracts/api.js', () => ({ listContracts: vi.fn() }))
vi.mock('../../facilities/api.js', () => ({ listFacilities: vi.fn(), listSubdistricts: vi.fn(async () => []) }))

import { ApiError } from '../../../api/http.js'
import * as facilitiesApi from '../../facilities/api.js'
import * as contractsApi from '../../contracts/api.js'
import * as api from '../api.js'
import ServiceProposalsDesk from '../components/ServiceProposalsDesk.vue'
import { _forgetContext } from '../../../composables/useWorkbenchContext.js'
import { contracts, facilities, page, setup } from '../../../components/__tests__/workbench.js'

const proposal = (over = {}) => ({
  id: 5, facility_id: 114, service_id: 327, kind: 'change', changes: { basic: false }, reason: '改为收费课程', status: 'pending',
  proposed_by: 'demo-operator', proposer_operator_id: 1, proposed_at: '2026-11-02T02:00:00Z', decided_by: null, decided_at: null, decision_note: '', ...over,
})
const mountAs = (opts = {}) => mount(ServiceProposalsDesk, { global: { plugins: setup(opts).list } })

beforeEach(() => {
  vi.clearAllMocks()
  _forgetContext()
  contractsApi.listContracts.mockResolvedValue(page(contracts))
  facilitiesApi.listFacilities.mockResolvedValue(page(facilities))
})

describe('ServiceProposalsDesk', () => {
  it('lets a district official reject an operator’s switch from basic, with the reason', async () => {
    api.listServiceProposals.mockResolvedValue(page([proposal()]))
    api.decideServiceProposal.mockResolvedValue(proposal({ status: 'rejected' }))
    const w = mountAs()
    await flushPromises()
    const card = w.find('[data-test=service-proposal-5]')
    expect(card.find('[data-test=proposal-changes]').text()).toBe('设为非基本服务（可申请收费）')
    await card.find('[data-test=decision-reason]').setValue('阅读空间是基本公共文化服务，应免费。')
    await card.find('[data-test=decide-reject]').trigger('click')
    await flushPromises()
    expect(api.decideServiceProposal).toHaveBeenCalledWith(expect.objectContaining({ id: 5, facility_id: 114 }), 'reject', '阅读空间是基本公共文化服务，应免费。')
    expect(w.find('[data-test=proposal-message]').text()).toContain('不同意')
  })

  it('approves, and shows the API’s refusal in the reader’s language', async () => {
    api.listServiceProposals.mockResolvedValue(page([proposal({ kind: 'add', service_id: null, changes: { name_zh: '非遗剪纸', category: 'heritage', basic: true } })]))
    api.decideServiceProposal.mockRejectedValue(new ApiError({ status: 409, title: 'Conflict', detail: 'Already decided.' }))
    const w = mountAs({ locale: 'en' })
    await flushPromises()
    await w.find('[data-test=decide-approve]').trigger('click')
    await flushPromises()
    expect(api.decideServiceProposal).toHaveBeenCalledWith(expect.objectContaining({ id: 5 }), 'approve', '')
    expect(w.find('.notice-error').text()).toContain('Already decided.')
  })

  it('gives a subdistrict official the queue to read, without the forms', async () => {
    api.listServiceProposals.mockResolvedValue(page([proposal()]))
    const w = mountAs({ subdistrict: 'jingshan' })
    await flushPromises()
    expect(w.find('[data-test=service-proposal-5]').exists()).toBe(true)
    expect(w.find('[data-test=decide-approve]').exists()).toBe(false)
  })
})
