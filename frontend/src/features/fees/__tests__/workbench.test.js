import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'

vi.mock('../../../api/paging.js', () => ({
  allPages: async (fn, query) => ({ items: (await fn(query)).items, truncated: false }),
}))
vi.mock('../../contracts/api.js', () => ({
  listContracts: vi.fn(),
}))
vi.mock('../api.js', () => ({
  listFeeApplications: vi.fn(),
  decideFeeApplication: vi.fn(),
}))
vi.mock('../../facilities/api.js', () => ({ listFacilities: vi.fn(), listSubdistricts: vi.fn(async () => []) }))

import { ApiError } from '../../../api/http.js'
import { contracts, facilities, page, setup } from '../../../components/__tests__/workbench.js'
import { _forgetContext } from '../../../composables/useWorkbenchContext.js'
import * as facilitiesApi from '../../facilities/api.js'
import * as contractsApi from '../../contracts/api.js'
import * as feesApi from '../api.js'
import FeesDesk from '../components/FeesDesk.vue'

const api = { ...contractsApi, ...feesApi }

beforeEach(() => {
  vi.clearAllMocks()
  _forgetContext()
  api.listContracts.mockResolvedValue(page(contracts))
  facilitiesApi.listFacilities.mockResolvedValue(page(facilities))
})
const mountAs = (component, opts = {}) => mount(component, { props: opts.props || {}, global: { plugins: setup(opts).list } })

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
