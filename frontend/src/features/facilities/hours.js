// Weekly opening hours (weekday 0 = Monday … 6 = Sunday, district time).
import { hhmm } from '../../locales/format.js'

const WEEKDAY = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 }

/** The district's weekday (0 = Monday) of a moment. */
export function districtWeekday(now = new Date()) {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Shanghai', weekday: 'short' }).format(now)
  return WEEKDAY[name]
}

/** Slots of one weekday as `09:00–17:00, 18:00–21:00` ('' when closed). */
export function slotsText(openingHours = [], weekday) {
  return openingHours
    .filter((s) => s.weekday === weekday)
    .sort((a, b) => String(a.opens).localeCompare(String(b.opens)))
    .map((s) => `${hhmm(s.opens)}–${hhmm(s.closes)}`)
    .join(', ')
}

/** Today's regular hours (the facility page asks the API, which knows holidays and closures). */
export function todayText(openingHours, now = new Date()) {
  return slotsText(openingHours, districtWeekday(now))
}

/** The week as rows {weekday, text}, Monday first. */
export function weekRows(openingHours = []) {
  return [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, text: slotsText(openingHours, weekday) }))
}
