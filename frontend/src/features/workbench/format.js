// Small formatting helpers of the workbench (district days and times, yuan from fen).
import { districtDay, formatDate, formatDateTime } from '../../locales/format.js'

/** `2026-11-23` → the day in the reader's format (the day is the district's). */
export const day = (v, locale) => (v ? formatDate(`${String(v).slice(0, 10)}T12:00:00+08:00`, locale) : '—')
export const time = (v, locale) => (v ? formatDateTime(v, locale) : '—')
/** 123456 fen → `¥1,234.56`. */
export const yuan = (fen) =>
  fen === null || fen === undefined ? '—' : `¥${(fen / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`
/** A yuan amount typed by a person → integer fen (NaN when it is not a number). */
export const toFen = (value) => Math.round(Number(String(value).replace(/[,，\s¥]/g, '')) * 100)

/** A `datetime-local` value, meant in the district (Asia/Shanghai), as an ISO instant. */
export function districtIso(local) {
  if (!local) return null
  const v = local.length === 16 ? `${local}:00` : local
  return `${v}+08:00`
}

/** Now (plus minutes) in the district, as a `datetime-local` value. */
export function districtLocal(date = new Date(), plusMinutes = 0) {
  const d = new Date(date.getTime() + plusMinutes * 60000)
  const shifted = new Date(d.getTime() + 8 * 3600000)
  return shifted.toISOString().slice(0, 16)
}

/** The quarter before the one a day lies in: `2026-Q3` (the API's period names). */
export function previousQuarter(today = districtDay()) {
  const [y, m] = today.split('-').map(Number)
  const q = Math.floor((m - 1) / 3) + 1
  return q === 1 ? `${y - 1}-Q4` : `${y}-Q${q - 1}`
}

export const today = () => districtDay()
