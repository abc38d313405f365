import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'

vi.mock('../../../api/http.js', async (importOriginal) => ({
  ...(await importOriginal()),
  http: { get: vi.fn(), post: vi.fn(), patch: vi.fn(), delete: vi.fn(), url: vi.fn() },
}))

import { http } from '../../../api/http.js'
import OperatorReportsView from '../../../views/operator/OperatorReportsView.vue'
import { fakeHttp, problem } from '../../../components/__tests__/fakeApi.js'
import { contract, facility, figures, lastMonth, page, report, twoMonthsAgo } from '../../../components/__tests__/portalFixtures.js'
import { mountPortal } from '../../../components/__tests__/mountPortal.js'

function routes(over = {}) {
  return {
    'GET /contracts': page([contract]),
    'GET /facilities': page([facility]),
    'GET /service-reports': page([report(twoMonthsAgo, true)]),
    'GET /stats/operations': figures,
    'POST /service-reports': ({ body }) => ({ ...report(body.month), lines: body.lines }),
    ...over,
  }
}

describe('monthly service reports', () => {
  beforeEach(() => vi.clearAllMocks())

  it('lists our reports with the months that differ from the platform marked', async () => {
    fakeHttp(http, routes())
    const w = mountPortal(OperatorReportsView)
    await flushPromises()
    const card = w.find(`[data-test=report-${twoMonthsAgo}]`)
    expect(card.find('[data-test=report-flagged]').text()).toBe('与平台记录不符')
    expect(card.find('tr.row-alert').text()).toContain('参与人次')
    expect(card.find('tr.row-alert').text()).toContain('45.45%')
    expect(http.get).toHaveBeenCalledWith('/service-reports', { query: { limit: 100, operator_id: 1 } })
  })

  it('offers only the ended month not yet reported, with the platform’s figures beside the form', async () => {
    fakeHttp(http, routes())
    const w = mountPortal(OperatorReportsView)
    await flushPromises()
    const months = w.findAll('[data-test=report-month] option').map((o) => o.element.value)
    expect(months).toEqual([lastMonth])
    const beside = w.find('[data-test=recorded-114]')
    expect(beside.text()).toContain('平台记录')
    expect(beside.text()).toContain('251')
    expect(http.get).toHaveBeenCalledWith('/stats/operations', { query: expect.objectContaining({ facility_id: 114, from: `${lastMonth}-01` }) })
  })

  it('files the report with a line per facility and shows how it compares', async () => {
    const api = fakeHttp(http, routes())
    const w = mountPortal(OperatorReportsView)
    await flushPromises()
    await w.find('[data-test=use-platform-figures]').trigger('click')
    await w.find('[data-test=line-participants]').setValue('260')
    await w.find('[data-test=report-summary]').setValue('十月活动较多')
    await w.find('[data-test=report-form]').trigger('submit')
    await flushPromises()
    expect(api.bodyOf('POST /service-reports')[0]).toEqual({
      contract_id: 3, month: lastMonth, summary: '十月活动较多',
      lines: [{ facility_id: 114, open_hours: 186, activities: 9, participants: 260, special_group_services: 13, incidents: 0, notes: '' }],
    })
    expect(w.find('[data-test=report-filed]').text()).toContain(`${lastMonth} 月报已提交`)
    expect(w.find(`[data-test=report-${lastMonth}] [data-test=report-matches]`).exists()).toBe(true)
    // the month just filed is no longer offered
    expect(w.find('[data-test=report-no-month]').exists()).toBe(true)
  })

  it('shows a refusal in the reader’s language with the field named', async () => {
    fakeHttp(http, routes({ 'POST /service-reports': problem(422, 'x', [{ field: 'body.month', code: 'report-month-not-over', message: 'not over' }]) }))
    const w = mountPortal(OperatorReportsView, { locale: 'en' })
    await flushPromises()
    await w.find('[data-test=use-platform-figures]').trigger('click')
    await w.find('[data-test=report-form]').trigger('submit')
    await flushPromises()
    expect(w.find('.notice-error').text()).toContain('Some entries are not valid')
    expect(w.find('#rf-month').attributes('aria-invalid')).toBe('true')
  })

  it('shows the error state with a retry when the list cannot be had', async () => {
    fakeHttp(http, routes({ 'GET /service-reports': problem(503) }))
    const w = mountPortal(OperatorReportsView)
    await flushPromises()
    expect(w.text()).toContain('服务暂时不可用')
    expect(w.find('[data-test=report-form]').exists()).toBe(false)
  })
})
