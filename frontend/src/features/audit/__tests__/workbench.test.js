import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'

vi.mock('../../../api/paging.js', () => ({
  allPages: async (fn, query) => ({ items: (await fn(query)).items, truncated: false }),
}))
vi.mock('../../contracts/api.js', () => ({
  listContracts: vi.fn(),
}))
vi.mock('../api.js', () => ({
  listAuditLog: vi.fn(),
}))
vi.mock('../../facilities/api.js', () => ({ listFacilities: vi.fn(), listSubdistricts: vi.fn(async () => []) }))

import { ApiError } from '../../../api/http.js'
import { contracts, facilities, page, setup } from '../../../components/__tests__/workbench.js'
import { _forgetContext } from '../../../composables/useWorkbenchContext.js'
import * as facilitiesApi from '../../facilities/api.js'
import * as auditApi from '../api.js'
import * as contractsApi from '../../contracts/api.js'
import AuditLogDesk from '../components/AuditLogDesk.vue'

const api = { ...auditApi, ...contractsApi }

beforeEach(() => {
  vi.clearAllMocks()
  _forgetContext()
  api.listContracts.mockResolvedValue(page(contracts))
  facilitiesApi.listFacilities.mockResolvedValue(page(facilities))
})
const mountAs = (component, opts = {}) => mount(component, { props: opts.props || {}, global: { plugins: setup(opts).list } })

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
