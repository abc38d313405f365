import { districtDay } from '../../locales/format.js'

/** Activities grouped by their district-local start day, in order: [{day, items}]. */
export function groupByDay(activities) {
  const groups = new Map()
  for (const a of activities) {
    const day = districtDay(a.starts_at)
    if (!groups.has(day)) groups.set(day, [])
    groups.get(day).push(a)
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([day, items]) => ({ day, items }))
}
