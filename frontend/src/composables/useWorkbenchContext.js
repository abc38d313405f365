// What every workbench page needs besides its own records: the contracts (records name them by id),
// the facilities' names, and the official's scope. A subdistrict official sees their subdistrict:
// records bought by it or concerning its facilities. The services let every official read every
// record (and refuse a subdistrict official's action on another's); the scope here keeps the pages
// to what is theirs.
import { computed, shallowRef } from 'vue'
import { localName } from '../locales/format.js'
import { useSessionStore } from '../stores/session.js'
import { listFacilities } from '../features/facilities/api.js'
import { allPages } from '../api/paging.js'
import { listContracts } from '../features/contracts/api.js'

let cached = null // { key, promise }

async function load() {
  const [contracts, facilities] = await Promise.all([allPages(listContracts), allPages(listFacilities)])
  return { contracts: contracts.items, facilities: facilities.items }
}

/** Loaded once per sign-in; `reload()` after a change that adds a contract. */
export function loadContext(key, force = false) {
  if (force || !cached || cached.key !== key) {
    const promise = load()
    cached = { key, promise }
    promise.catch(() => {
      if (cached?.promise === promise) cached = null
    })
  }
  return cached.promise
}

export function useWorkbenchContext() {
  const session = useSessionStore()
  const data = shallowRef(null)
  const error = shallowRef(null)
  const loading = shallowRef(false)

  async function reload(force = false) {
    loading.value = true
    error.value = null
    try {
      data.value = await loadContext(`${session.user?.id}`, force)
    } catch (err) {
      error.value = err
    } finally {
      loading.value = false
    }
    return data.value
  }

  const subdistrict = computed(() => session.scopeSubdistrict)
  const facilityById = computed(() => Object.fromEntries((data.value?.facilities || []).map((f) => [f.id, f])))
  const contractById = computed(() => Object.fromEntries((data.value?.contracts || []).map((c) => [c.id, c])))
  const scopeFacilityIds = computed(() =>
    subdistrict.value ? new Set((data.value?.facilities || []).filter((f) => f.subdistrict === subdistrict.value).map((f) => f.id)) : null,
  )
  const inScopeByFacilities = (purchaser, facilityIds = []) =>
    !subdistrict.value || purchaser === subdistrict.value || facilityIds.some((id) => scopeFacilityIds.value?.has(id))
  const scopeContractIds = computed(() =>
    subdistrict.value
      ? new Set((data.value?.contracts || []).filter((c) => inScopeByFacilities(c.purchaser_subdistrict, c.facility_ids)).map((c) => c.id))
      : null,
  )

  /** Filters for each kind of record. */
  const scope = {
    selection: (s) => inScopeByFacilities(s.purchaser_subdistrict, s.facility_ids),
    contract: (c) => inScopeByFacilities(c.purchaser_subdistrict, c.facility_ids),
    byContract: (r) => !subdistrict.value || scopeContractIds.value?.has(r.contract_id),
    byFacility: (r) => !subdistrict.value || scopeFacilityIds.value?.has(r.facility_id),
    byContractOrFacility: (r) => !subdistrict.value || scopeContractIds.value?.has(r.contract_id) || scopeFacilityIds.value?.has(r.facility_id),
  }

  /** Officials act; a subdistrict official only on what their subdistrict bought. Auditors read. */
  const canManage = (purchaser = null) => session.isOfficial && (!subdistrict.value || subdistrict.value === purchaser)
  const canManageContract = (contractId) => canManage(contractById.value[contractId]?.purchaser_subdistrict ?? null)

  const facilityName = (id, locale) => (facilityById.value[id] ? localName(facilityById.value[id], locale) : id ? `#${id}` : '—')
  const contractLabel = (id) => {
    const c = contractById.value[id]
    return c ? `${c.reference} ${c.title}` : id ? `#${id}` : '—'
  }
  const operatorName = (id) => (data.value?.contracts || []).find((c) => c.operator_id === id)?.operator_name || (id ? `#${id}` : '—')

  return {
    data, error, loading, reload, subdistrict, facilityById, contractById, scopeFacilityIds, scope, canManage, canManageContract,
    facilityName, contractLabel, operatorName,
  }
}

/** The reset for tests (module state survives between them). */
export function _forgetContext() {
  cached = null
}
