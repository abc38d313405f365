// The district's subdistricts (街道), fetched once and shared by every page that names one.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { listSubdistricts } from '../features/facilities/api.js'

export const useAreasStore = defineStore('areas', () => {
  const subdistricts = ref([])
  const error = ref(null)
  let pending = null

  const byCode = computed(() => Object.fromEntries(subdistricts.value.map((s) => [s.code, s])))

  function load() {
    if (subdistricts.value.length) return Promise.resolve(subdistricts.value)
    if (!pending) {
      pending = listSubdistricts()
        .then((items) => {
          subdistricts.value = items
          error.value = null
          return items
        })
        .catch((err) => {
          error.value = err
          return []
        })
        .finally(() => {
          pending = null
        })
    }
    return pending
  }

  return { subdistricts, byCode, error, load }
})
