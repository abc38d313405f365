import { beforeEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { createPinia, setActivePinia } from 'pinia'
import { usePrefsStore } from '../prefs.js'

describe('care mode and language preferences', () => {
  beforeEach(() => {
    localStorage.clear()
    document.documentElement.className = ''
    setActivePinia(createPinia())
  })

  it('is off and Chinese by default', () => {
    const p = usePrefsStore()
    expect(p.care).toBe(false)
    expect(p.locale).toBe('zh-CN')
    expect(document.documentElement.getAttribute('lang')).toBe('zh-CN')
  })

  it('remembers care mode and marks the document', async () => {
    const p = usePrefsStore()
    p.toggleCare()
    await nextTick()
    expect(document.documentElement.classList.contains('care')).toBe(true)
    expect(localStorage.getItem('culture-ops.care')).toBe('1')
    setActivePinia(createPinia())
    expect(usePrefsStore().care).toBe(true)
  })

  it('remembers the language and refuses unknown ones', async () => {
    const p = usePrefsStore()
    p.setLocale('en')
    p.setLocale('xx')
    await nextTick()
    expect(p.locale).toBe('en')
    expect(localStorage.getItem('culture-ops.locale')).toBe('en')
    expect(document.documentElement.getAttribute('lang')).toBe('en')
  })
})
