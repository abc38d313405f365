import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'

vi.mock('../api.js', async (importOriginal) => ({
  ...(await importOriginal()),
  listUsers: vi.fn(),
  disableAccount: vi.fn(),
  enableAccount: vi.fn(),
}))

import * as api from '../api.js'
import AccountsDesk from '../components/AccountsDesk.vue'
import { page, setup } from '../../../components/__tests__/workbench.js'

const user = (over = {}) => ({
  id: 21, username: 'li-hua', phone: '138****8000', display_name: '李华', role: 'resident', operator_id: null, subdistrict: null,
  active: true, created_at: '2026-10-01T02:00:00Z', disabled_at: null, disabled_reason: null, ...over,
})
const mountAs = (opts = {}) => mount(AccountsDesk, { global: { plugins: setup(opts).list } })

beforeEach(() => vi.clearAllMocks())

describe('AccountsDesk', () => {
  it('lets a district official disable an account with the reason', async () => {
    api.listUsers.mockResolvedValue(page([user()]))
    api.disableAccount.mockResolvedValue(user({ active: false, disabled_at: '2026-12-07T02:00:00Z', disabled_reason: '冒用他人身份' }))
    const w = mountAs()
    await flushPromises()
    expect(w.find('[data-test=accounts-table]').text()).toContain('138****8000')
    await w.find('[data-test=open-account-21]').trigger('click')
    const form = w.find('[data-test=account-form]')
    await form.find('[data-test=decision-reason]').setValue('冒用他人身份')
    await form.find('[data-test=decide-disable]').trigger('click')
    await flushPromises()
    expect(api.disableAccount).toHaveBeenCalledWith(21, '冒用他人身份')
    expect(w.find('[data-test=acc-message]').text()).toContain('已停用 李华 的账号')
  })

  it('enables a disabled account again, in English', async () => {
    api.listUsers.mockResolvedValue(page([user({ active: false, disabled_reason: '冒用他人身份', disabled_at: '2026-12-07T02:00:00Z' })]))
    api.enableAccount.mockResolvedValue(user())
    const w = mountAs({ locale: 'en' })
    await flushPromises()
    await w.find('[data-test=open-account-21]').trigger('click')
    expect(w.find('[data-test=account-status]').text()).toContain('Disabled')
    await w.find('[data-test=decision-reason]').setValue('身份已核实')
    await w.find('[data-test=decide-enable]').trigger('click')
    await flushPromises()
    expect(api.enableAccount).toHaveBeenCalledWith(21, '身份已核实')
  })

  it('gives a subdistrict official the list without the forms', async () => {
    api.listUsers.mockResolvedValue(page([user()]))
    const w = mountAs({ subdistrict: 'jingshan' })
    await flushPromises()
    await w.find('[data-test=open-account-21]').trigger('click')
    expect(w.find('[data-test=account-form]').exists()).toBe(false)
    expect(w.find('[data-test=acc-phone]').exists()).toBe(false)
  })
})
