import { describe, expect, it } from 'vitest'
import en from '../workbench.en.js'
import zh from '../workbench.zh-CN.js'
import { messages } from '../index.js'

function keys(obj, prefix = '') {
  return Object.entries(obj).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]))
}

describe('workbench messages', () => {
  it('has the same keys in Chinese and English', () => {
    expect(keys(en).sort()).toEqual(keys(zh).sort())
  })
  it('is merged into the app’s messages without replacing a base namespace', () => {
    expect(messages['zh-CN'].bench.nav.selections).toBe('遴选评审')
    expect(messages.en.bench.nav.selections).toBe('Selections')
    expect(messages['zh-CN'].workbench.title).toBeTruthy()
  })
  it('uses no vue-i18n special characters by accident', () => {
    for (const dict of [zh, en]) {
      for (const key of keys(dict)) {
        const value = key.split('.').reduce((o, k) => o[k], dict)
        expect(value, key).not.toMatch(/[@|$]/)
      }
    }
  })
})
