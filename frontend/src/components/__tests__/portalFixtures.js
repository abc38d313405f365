// Records as the operators-api and feedback-api return them (trimmed to what the pages use).
import { districtDay } from '../../locales/format.js'
import { previousMonth } from '../../locales/desk.js'

export const today = districtDay()
export const lastMonth = previousMonth(today)
export const twoMonthsAgo = previousMonth(`${lastMonth}-01`)

export const contract = {
  id: 3, reference: 'DCHT-DEMO-C', title: '美后肆时景山市民文化中心运营服务', operator_id: 1, status: 'active',
  starts_on: `${twoMonthsAgo}-01`, ends_on: '2099-06-30', ended_on: null, facility_ids: [114],
  kpi_targets: { activities_per_month: 8 },
}
export const facility = { id: 114, name_zh: '美后肆时景山市民文化中心（超长名称测试：景山街道景山东街与沙滩后街交叉口东北角院内）', name_en: 'Meihou Sishi Jingshan Civic Culture Centre' }

export const page = (items) => ({ items, next_cursor: null })

export const report = (month, flagged = false) => ({
  id: month === twoMonthsAgo ? 33 : 34, contract_id: 3, operator_id: 1, month, summary: '本月运营平稳。', flagged, filed_by: 'x', version: 1,
  filed_at: `${month}-28T02:00:00Z`, updated_at: `${month}-28T02:00:00Z`,
  lines: [{ facility_id: 114, open_hours: '178.6', activities: 7, participants: 320, special_group_services: 11, incidents: 0, notes: '' }],
  cross_check: {
    checked_at: `${month}-28T02:00:00Z`, tolerance_percent: 10, missing: [],
    lines: [{
      facility_id: 114, complaints_recorded: 2, figures: [
        { figure: 'open_hours', reported: '178.6', recorded: '186', difference: '-7.4', difference_percent: '3.98', flagged: false, source: 'facilities-api' },
        { figure: 'participants', reported: '320', recorded: '220', difference: '100', difference_percent: '45.45', flagged, source: 'facilities-api' },
      ],
    }],
  },
})

export const figures = { facility_id: 114, from: `${lastMonth}-01`, to: `${lastMonth}-28`, activities_held: 9, participants: 251, bookings: 270, no_shows: 19, scheduled_open_hours: 186, special_group_services_done: 13 }

export const rectification = (over = {}) => ({
  id: 1, contract_id: 3, operator_id: 1, facility_id: 114, source: 'inspection', inspection_id: 13, evaluation_id: null,
  finding: '免费开放时间未在入口显著位置公示', required_action: '在入口及线上平台公示免费开放时间', deadline_on: '2099-12-13',
  status: 'open', overdue: false, response: null, response_documents: [], responded_at: null, responded_late: false,
  review_reason: null, reviewed_at: null, ordered_at: '2026-11-20T07:00:00Z', version: 1, ...over,
})

const criteria = [
  { key: 'price', name_zh: '价格', kind: 'price', weight: 30 },
  { key: 'service_plan', name_zh: '服务方案', kind: 'quality', weight: 70 },
]
export const selection = (over = {}) => ({
  id: 5, reference: 'DCWL-E2E-1', title: '景山街道阅读空间运营服务项目', description: '', scope: '阅读空间日常开放与活动', purchaser_subdistrict: null,
  method: 'competitive_consultation', min_valid_bids: 3, budget_fen: 100_000_000, facility_ids: [114], criteria,
  price_formula: { kind: 'lowest_price_base', penalty_per_percent: '1' }, trim_extremes: false,
  bids_open_at: '2026-01-01T00:00:00Z', bids_close_at: '2099-01-01T00:00:00Z', service_starts_on: '2027-01-01', service_ends_on: '2027-12-31',
  status: 'bidding', status_reason: null, bids_received: null, award: null, result: null, published_at: '2026-01-01T00:00:00Z', version: 3,
  created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', ...over,
})
export const bid = (over = {}) => ({
  id: 9, selection_id: 5, operator_id: 1, operator_name: '美后肆时', price_fen: 88_000_000, proposal_summary: '延长开放时间', documents: [],
  status: 'submitted', status_reason: null, submitted_at: '2026-11-23T02:00:00Z', updated_at: '2026-11-23T02:00:00Z', version: 1, ...over,
})

export const guideline = { version: 0, cap_percent_of_market: 50, min_special_group_free_percent: 10, max_special_group_price_percent: 50, allowed_categories: ['training', 'lecture'], note: '', created_at: null }
export const services = [
  { id: 327, facility_id: 114, name_zh: '阅读空间', name_en: '', category: 'reading_room', basic: true, active: true },
  { id: 330, facility_id: 114, name_zh: '少儿书法体验课', name_en: 'Calligraphy for children', category: 'training', basic: false, active: true },
]
export const feeApp = (over = {}) => ({
  id: 4, operator_id: 1, contract_id: 3, facility_id: 114, service_id: 330, service_name: '少儿书法体验课', service_category: 'training',
  market_price_fen: 10_000, proposed_fee_fen: 4_000, special_group_free_percent: 20, special_group_fee_fen: 2_000, justification: '成本测算',
  guideline_version: 0, guideline_check: [{ field: 'proposed_fee_fen', code: 'fee-above-cap', ok: true, message: '' }], status: 'submitted',
  decision_reason: null, decided_by: null, decided_at: null, expires_on: null, submitted_at: '2026-11-21T02:00:00Z', updated_at: '2026-11-21T02:00:00Z', version: 1, ...over,
})

export const evaluation = (over = {}) => ({
  id: 12, contract_id: 3, operator_id: 1, period: '2026-Q3', period_start_on: '2026-07-01', period_end_on: '2026-09-30', status: 'published',
  scheme: { weights: { kpi: 40, inspection: 20, satisfaction: 30, expert: 10 } },
  components: {
    kpi: { score: '94.47', complete: true, items: { activities_per_month: { target: 8, actual: '7.28', attainment: '91.00' } } },
    inspection: { score: '85.20', complete: true }, satisfaction: { score: '80.00', complete: true }, expert: { score: null, complete: false },
  },
  missing_inputs: [], provisional_score: '86.83', score_if_missing_accepted: null, score: '86.83', original_score: null, grade: 'good', grade_zh: '良好',
  reweighted: true, consequences: { instalment: { seq: 2, amount_fen: 24_000_000, percent: 100, adjusted_amount_fen: 24_000_000 }, credit_points: 2, renewal_eligible: true, rectification_id: null, termination_proposed: false },
  computed_at: '2026-10-10T02:00:00Z', published_at: '2026-10-12T02:00:00Z', appeal_deadline_on: '2099-01-01', appeal: null, version: 2, ...over,
})

export const rating = (over = {}) => ({
  id: 4988, target_type: 'facility', target_id: 114, facility_id: 114, period: '2026Q4', overall: 3, dimensions: { environment: 3, content: null, staff: 2, convenience: 3 },
  comment: '周末人太多，座位不够', comment_status: 'published', status: 'visible', verified: true, author: '居民***', mine: false, live: true, replaced_by: null,
  reply: null, created_at: '2026-11-22T02:47:27Z', ...over,
})
