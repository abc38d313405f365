import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'

vi.mock('../api.js', () => ({
  caseCategories: vi.fn(async () => [
    { code: 'service_quality', kind: 'complaint', name_zh: '服务质量', name_en: 'Service quality', deadline_working_days: 2 },
    { code: 'fee_overcharge', kind: 'complaint', name_zh: '收费高于核定标准', name_en: 'Charged more than the approved fee', deadline_working_days: 2 },
  ]),
  fileCase: vi.fn(async () => ({ id: 77 })),
}))
vi.mock('../../facilities/api.js', () => ({
  listFacilities: vi.fn(async () => ({ items: [{ id: 15, name_zh: '东城区第一图书馆' }], next_cursor: null })),
  facilityServices: vi.fn(async () => [
    { id: 9, name_zh: '少儿书法体验课', basic: false, fee_fen: 2000 },
    { id: 3, name_zh: '图书借阅', basic: true, fee_fen: null },
  ]),
}))

import { plugins } from '../../../components/__tests__/testing.js'
import NewCaseView from '../../../views/NewCaseView.vue'
import * as api from '../api.js'

async function mountView(query) {
  const p = plugins()
  await p.router.push({ name: 'new-case', query })
  return mount(NewCaseView, { global: { plugins: p.list } })
}

describe('NewCaseView', () => {
  beforeEach(() => vi.clearAllMocks())

  it('asks an overcharge complaint what was charged and for which service, and sends it in fen', async () => {
    const w = await mountView({ category: 'fee_overcharge', facility: '15' })
    await flushPromises()
    const charge = w.find('[data-test=case-charge]')
    expect(charge.exists()).toBe(true)
    await w.find('[data-test=case-description]').setValue('书法课收了 50 元，公示的优惠价是 20 元。')
    // Nothing goes without the amount charged.
    expect(w.find('[data-test=submit-case]').attributes('disabled')).toBeDefined()
    await w.find('[data-test=case-charged]').setValue('50')
    expect(w.find('[data-test=case-service]').text()).toContain('基本服务，应免费')
    await w.find('[data-test=case-service]').setValue('9')
    await w.find('[data-test=case-receipt]').setValue('yes')
    await w.find('form').trigger('submit')
    await flushPromises()
    const [body] = api.fileCase.mock.calls[0]
    expect(body).toMatchObject({ category: 'fee_overcharge', facility_id: 15, attributes: { charged_fen: 5000, service_id: 9, receipt: 'yes' } })
    expect(w.find('[data-test=case-created]').text()).toContain('77')
  })

  it('asks no charge of other complaints', async () => {
    const w = await mountView({ category: 'service_quality' })
    await flushPromises()
    expect(w.find('[data-test=case-charge]').exists()).toBe(false)
  })
})
