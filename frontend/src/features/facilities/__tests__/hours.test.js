import { describe, expect, it } from 'vitest'
import { districtWeekday, slotsText, todayText, weekRows } from '../hours.js'

const hours = [
  { weekday: 1, opens: '18:00:00', closes: '21:00:00' },
  { weekday: 1, opens: '09:00:00', closes: '12:00:00' },
  { weekday: 5, opens: '09:00:00', closes: '17:00:00' },
]

describe('opening hours', () => {
  it('takes the weekday in the district (0 = Monday)', () => {
    expect(districtWeekday(new Date('2026-11-23T17:00:00Z'))).toBe(1) // Tuesday 01:00 in Beijing
  })
  it('lists a day’s slots in order', () => {
    expect(slotsText(hours, 1)).toBe('09:00–12:00, 18:00–21:00')
    expect(slotsText(hours, 0)).toBe('')
    expect(todayText(hours, new Date('2026-11-28T02:00:00Z'))).toBe('09:00–17:00')
  })
  it('gives seven rows, Monday first', () => {
    expect(weekRows(hours).map((r) => r.weekday)).toEqual([0, 1, 2, 3, 4, 5, 6])
  })
})
