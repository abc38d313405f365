// Shared test set-up of the workbench: the app's plugins with the workbench's routes, a signed-in
// user, and demo-like records.
import { plugins } from './testing.js'
import { useSessionStore } from '../../stores/session.js'
import { SECTIONS } from '../../views/workbench/sections.js'

export function setup({ role = 'official', subdistrict = null, locale = 'zh-CN' } = {}) {
  const p = plugins({ locale })
  for (const [name] of SECTIONS) p.router.addRoute({ path: `/${name}`, name, component: { template: '<div />' } })
  p.router.addRoute({ path: '/wb-selection/:id', name: 'workbench-selection', component: { template: '<div />' } })
  p.router.addRoute({ path: '/wb-contract/:id', name: 'workbench-contract', component: { template: '<div />' } })
  const session = useSessionStore()
  session.user = { id: 3, role, display_name: '王科长', subdistrict, operator_id: null }
  return p
}

export const page = (items) => ({ items, next_cursor: null })

export const contracts = [
  {
    id: 3, reference: 'DCHT-2026-003', title: '美后肆时景山市民文化中心运营服务', operator_id: 1, operator_name: '美后肆时文化发展有限公司',
    purchaser_subdistrict: 'jingshan', facility_ids: [114], starts_on: '2025-10-01', ends_on: '2026-09-30', amount_fen: 120000000, status: 'active',
    procurement_method: 'single_source', instalments: [], kpi_targets: { open_hours_per_week: 42, activities_per_month: 8 }, selection_id: null, termination_proposal: null,
  },
  {
    id: 4, reference: 'DCHT-2026-004', title: '胡同博物馆及27院儿运营服务', operator_id: 3, operator_name: '东城区胡同文化保护促进会',
    purchaser_subdistrict: null, facility_ids: [110, 111], starts_on: '2025-10-01', ends_on: '2026-09-30', amount_fen: 90000000, status: 'active',
    procurement_method: 'single_source', instalments: [], kpi_targets: { open_hours_per_week: 42, activities_per_month: 8 }, selection_id: null, termination_proposal: null,
  },
]

export const facilities = [
  { id: 114, name_zh: '景山市民文化中心（美后肆时运营的一个名字特别特别长的新时代文明实践综合服务空间）', name_en: 'Jingshan Civic Culture Centre', subdistrict: 'jingshan' },
  { id: 110, name_zh: '史家胡同博物馆', name_en: 'Shijia Hutong Museum', subdistrict: 'chaoyangmen' },
  { id: 111, name_zh: '27院儿', name_en: 'Courtyard 27', subdistrict: 'chaoyangmen' },
]
