// Small formatting and parsing helpers of the operators' and officials' desks: district days,
// months and quarters, yuan and fen, idempotency keys.
import { districtDay, formatDate, formatDateTime } from './format.js'

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

/** `2026-05` of the month before the district's current one. */
export function previousMonth(today) {
  const [y, m] = today.split('-').map(Number)
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`
}

/** First and last day of a `YYYY-MM` month. */
export function monthRange(month) {
  const [y, m] = month.split('-').map(Number)
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate()
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}` }
}

/** Yuan typed by a person (`12.5`) → integer fen; NaN when it is not an amount. */
export function yuanToFen(value) {
  const s = String(value ?? '').trim()
  if (!/^\d+(\.\d{1,2})?$/.test(s)) return Number.NaN
  return Math.round(Number(s) * 100)
}

/** A new Idempotency-Key. */
export const newKey = () => globalThis.crypto?.randomUUID?.() || `${Date.now()}-${Math.random().toString(16).slice(2)}`
