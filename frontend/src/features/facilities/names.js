// Names of facilities referred to by id elsewhere (ratings, requests), fetched once each.
import { reactive } from 'vue'
import { getFacility } from './api.js'

const names = reactive({})
const pending = new Map()

export function facilityNames(ids) {
  for (const id of new Set(ids)) {
    if (id == null || names[id] || pending.has(id)) continue
    pending.set(
      id,
      getFacility(id)
        .then((f) => (names[id] = { name_zh: f.name_zh, name_en: f.name_en }))
        .catch(() => {})
        .finally(() => pending.delete(id)),
    )
  }
  return names
}
