// What most portal pages need first: the operator the signed-in staff member acts for, its
// contracts and the facilities it runs. Loaded once per page.
import { computed } from 'vue'
import { useAsync } from './useAsync.js'
import { listFacilities } from '../features/facilities/api.js'
import { listContracts } from '../features/contracts/api.js'
import { useSessionStore } from '../stores/session.js'

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
