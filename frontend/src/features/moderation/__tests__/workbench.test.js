import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'

vi.mock('../../../api/paging.js', () => ({
  allPages: async (fn, query) => ({ items: (await fn(query)).items, truncated: false }),
}))
vi.mock('../../contracts/api.js', () => ({
  listContracts: vi.fn(),
}))
vi.mock('../api.js', () => ({
  moderationQueue: vi.fn(),
  decideRating: vi.fn(),
  listBursts: vi.fn(),
  decideBurst: vi.fn(),
}))
vi.mock('../../facilities/api.js', () => ({ listFacilities: vi.fn(), listSubdistricts: vi.fn(async () => []) }))

import { contracts, facilities, page, setup } from '../../../components/__tests__/workbench.js'
import { _forgetContext } from '../../../composables/useWorkbenchContext.js'
import * as facilitiesApi from '../../facilities/api.js'
import * as contractsApi from '../../contracts/api.js'
import * as moderationApi from '../api.js'
import ModerationDesk from '../components/ModerationDesk.vue'

const api = { ...contractsApi, ...moderationApi }

beforeEach(() => {
  vi.clearAllMocks()
  _forgetContext()
  api.listContracts.mockResolvedValue(page(contracts))
  facilitiesApi.listFacilities.mockResolvedValue(page(facilities))
})
const mountAs = (component, opts = {}) => mount(component, { props: opts.props || {}, global: { plugins: setup(opts).list } })

describe('ModerationDesk', () => {
  const rating = {
    id: 4560, target_type: 'facility', target_id: 110, facility_id: 110, overall: 4, comment: '工作人员就是垃圾东西', comment_status: 'pending', status: 'visible',
    author: '居民***', created_at: '2026-10-24T23:11:38Z',
  }
  it('rejects a held comment with the reason and releases a burst', async () => {
    api.moderationQueue.mockResolvedValue(page([rating]))
    api.listBursts.mockResolvedValue(page([{ id: 2, target_type: 'facility', target_id: 111, facility_id: 111, reason: 'new_accounts', rating_count: 12, status: 'open', detected_at: '2026-11-20T00:00:00Z' }]))
    api.decideRating.mockResolvedValue({ ...rating, comment_status: 'rejected' })
    api.decideBurst.mockResolvedValue({})
    const w = mountAs(ModerationDesk)
    await flushPromises()
    const card = w.find('[data-test=rating-4560]')
    expect(card.find('[data-test=rating-comment]').text()).toBe('工作人员就是垃圾东西')
    expect(card.text()).toContain('史家胡同博物馆')
    await card.find('[data-test=decision-reason]').setValue('辱骂工作人员')
    await card.find('[data-test=decide-reject_comment]').trigger('click')
    await flushPromises()
    expect(api.decideRating).toHaveBeenCalledWith(4560, 'reject_comment', '辱骂工作人员')
    expect(w.find('[data-test=moderation-message]').text()).toContain('评论未通过')
    const burst = w.find('[data-test=burst-2]')
    expect(burst.text()).toContain('12 条评价，来自新注册账号')
    await burst.find('[data-test=decision-reason]').setValue('核实为真实评价')
    await burst.find('[data-test=decide-release]').trigger('click')
    await flushPromises()
    expect(api.decideBurst).toHaveBeenCalledWith(2, 'release', '核实为真实评价')
  })

  it('says when there is nothing to moderate', async () => {
    api.moderationQueue.mockResolvedValue(page([]))
    api.listBursts.mockResolvedValue(page([]))
    const w = mountAs(ModerationDesk, { locale: 'en' })
    await flushPromises()
    expect(w.text()).toContain('Nothing to moderate')
    expect(w.text()).toContain('No suspected burst to review')
  })
})
