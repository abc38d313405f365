// The resident's display preferences, remembered on this device: care mode (关怀版) and language.
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'

const CARE_KEY = 'culture-ops.care'
const LOCALE_KEY = 'culture-ops.locale'
export const LOCALES = ['zh-CN', 'en']

function read(key) {
  try {
    return globalThis.localStorage?.getItem(key) ?? null
  } catch {
    return null
  }
}
function write(key, value) {
  try {
    globalThis.localStorage?.setItem(key, value)
  } catch {
    // private mode: the preference lasts for this visit only
  }
}

/** zh-CN (the district's language) unless the resident chose English on this device. */
export function initialLocale() {
  const saved = read(LOCALE_KEY)
  return LOCALES.includes(saved) ? saved : 'zh-CN'
}

export function applyToDocument({ care, locale }) {
  const root = globalThis.document?.documentElement
  if (!root) return
  root.classList.toggle('care', !!care)
  root.setAttribute('lang', locale)
}

export const usePrefsStore = defineStore('prefs', () => {
  const care = ref(read(CARE_KEY) === '1')
  const locale = ref(initialLocale())

  function setCare(on) {
    care.value = !!on
  }
  function toggleCare() {
    care.value = !care.value
  }
  function setLocale(value) {
    if (LOCALES.includes(value)) locale.value = value
  }

  watch(care, (on) => write(CARE_KEY, on ? '1' : '0'))
  watch(locale, (value) => write(LOCALE_KEY, value))
  watch([care, locale], () => applyToDocument({ care: care.value, locale: locale.value }), { immediate: true })

  return { care, locale, setCare, toggleCare, setLocale }
})
