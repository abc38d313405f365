import { describe, expect, it } from 'vitest'
import en from '../portal.en.js'
import zh from '../portal.zh-CN.js'
import { messages } from '../index.js'

function keys(obj, prefix = '') {
  return Object.entries(obj).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]))
}

describe('the portal’s messages', () => {
  it('have the same keys in Chinese and English', () => {
    expect(keys(en).sort()).toEqual(keys(zh).sort())
  })
  it('use no vue-i18n special characters by accident', () => {
    for (const bundle of [zh, en]) {
      for (const key of keys(bundle)) {
        const value = key.split('.').reduce((o, k) => o[k], bundle)
        expect(value, key).not.toMatch(/[@|$]/)
      }
    }
  })
  it('are part of the app’s messages in both languages', () => {
    expect(messages['zh-CN'].portal.nav.reports).toBe('服务月报')
    expect(messages.en.portal.nav.reports).toBe('Monthly reports')
    expect(messages.en.common.loading).toBeTruthy()
  })
})
