import { describe, expect, it } from 'vitest'
import { groupByDay } from '../calendar.js'

describe('groupByDay', () => {
  it('groups by the district day, in order', () => {
    const groups = groupByDay([
      { id: 2, starts_at: '2026-11-24T09:00:00+08:00' },
      { id: 1, starts_at: '2026-11-23T23:30:00+08:00' },
      { id: 3, starts_at: '2026-11-23T16:00:00Z' }, // 00:00 on the 24th in Beijing
    ])
    expect(groups.map((g) => [g.day, g.items.map((a) => a.id)])).toEqual([
      ['2026-11-23', [1]],
      ['2026-11-24', [2, 3]],
    ])
  })
})
