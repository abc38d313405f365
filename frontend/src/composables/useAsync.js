import { ref, shallowRef } from 'vue'

/**
 * Loading, error and data of one call, for the loading / empty / error states every page shows.
 * A newer run wins over an older one still in flight (filters changed quickly).
 */
export function useAsync(fn, { initial = null, immediate = false } = {}) {
  const data = shallowRef(initial)
  const error = shallowRef(null)
  const loading = ref(false)
  let generation = 0

  async function run(...args) {
    const mine = ++generation
    loading.value = true
    error.value = null
    try {
      const result = await fn(...args)
      if (mine === generation) data.value = result
      return result
    } catch (err) {
      if (mine === generation) error.value = err
      return undefined
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  if (immediate) run()
  return { data, error, loading, run }
}
