// What most portal pages need first: the operator the signed-in staff member acts for, its
// contracts and the facilities it runs. Loaded once per page.
import { computed } from 'vue'
import { useAsync } from '../../composables/useAsync.js'
import { listFacilities } from '../facilities/api.js'
import { listContracts } from '../operations/api.js'
import { useSessionStore } from '../../stores/session.js'

export function usePortal() {
  const session = useSessionStore()
  const operatorId = computed(() => session.user?.operator_id ?? null)
  const contracts = useAsync(() => listContracts({ operator_id: operatorId.value }))
  const facilities = useAsync(() => listFacilities({ operator_id: operatorId.value, limit: 200 }))
  const contractList = computed(() => contracts.data.value?.items || [])
  const runningContracts = computed(() => contractList.value.filter((c) => ['active', 'suspended', 'expired', 'terminated'].includes(c.status)))
  const facilityById = computed(() => Object.fromEntries((facilities.data.value?.items || []).map((f) => [f.id, f])))
  return { session, operatorId, contracts, facilities, contractList, runningContracts, facilityById }
}

/** `2026-05` of the month before the district's current one. */
export function previousMonth(today) {
  const [y, m] = today.split('-').map(Number)
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`
}

/** First and last day of a `YYYY-MM` month. */
export function monthRange(month) {
  const [y, m] = month.split('-').map(Number)
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate()
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}` }
}

/** Yuan typed by a person (`12.5`) → integer fen; NaN when it is not an amount. */
export function yuanToFen(value) {
  const s = String(value ?? '').trim()
  if (!/^\d+(\.\d{1,2})?$/.test(s)) return Number.NaN
  return Math.round(Number(s) * 100)
}

/** A new Idempotency-Key. */
export const newKey = () => globalThis.crypto?.randomUUID?.() || `${Date.now()}-${Math.random().toString(16).slice(2)}`
