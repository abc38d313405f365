import { describe, expect, it } from 'vitest'
import en from '../en.js'
import zh from '../zh-CN.js'
import { addDays, districtDay, formatDateTime, formatFee, quarterOf } from '../format.js'

function keys(obj, prefix = '') {
  return Object.entries(obj).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]))
}

describe('messages', () => {
  it('has the same keys in Chinese and English', () => {
    expect(keys(en).sort()).toEqual(keys(zh).sort())
  })
  it('names every vocabulary value the API uses', () => {
    for (const kind of ['public_library', 'hutong_museum', 'new_cultural_space', 'service_point']) {
      expect(zh.kind[kind]).toBeTruthy()
      expect(en.kind[kind]).toBeTruthy()
    }
  })
  it('uses no vue-i18n special characters by accident', () => {
    for (const key of keys(zh)) {
      const value = key.split('.').reduce((o, k) => o[k], zh)
      expect(value, key).not.toMatch(/[@|]/)
    }
  })
})

describe('district formatting', () => {
  it('shows times in Asia/Shanghai whatever the device zone', () => {
    expect(formatDateTime('2026-11-22T16:30:00Z', 'zh-CN')).toContain('00:30')
    expect(districtDay(new Date('2026-11-22T16:30:00Z'))).toBe('2026-11-23')
  })
  it('adds days across a month end', () => {
    expect(addDays('2026-11-30', 1)).toBe('2026-12-01')
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28')
  })
  it('formats fen as yuan and zero as free', () => {
    expect(formatFee(0, '免费')).toBe('免费')
    expect(formatFee(1250)).toBe('¥12.50')
  })
  it('knows the quarter in the district', () => {
    expect(quarterOf(new Date('2026-12-31T17:00:00Z'))).toBe('2027Q1')
  })
})
