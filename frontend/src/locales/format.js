// Formatting in the district's terms: times in Asia/Shanghai whatever the device's zone, money
// from integer fen, names in the reader's language.
export const DISTRICT_TZ = 'Asia/Shanghai'

const cache = new Map()
function fmt(locale, options) {
  const key = locale + JSON.stringify(options)
  if (!cache.has(key)) cache.set(key, new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'zh-CN', { timeZone: DISTRICT_TZ, ...options }))
  return cache.get(key)
}

const toDate = (v) => (v instanceof Date ? v : new Date(v))

export function formatDateTime(value, locale = 'zh-CN') {
  if (!value) return ''
  return fmt(locale, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).format(toDate(value))
}

export function formatDate(value, locale = 'zh-CN') {
  if (!value) return ''
  return fmt(locale, { year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short' }).format(toDate(value))
}

export function formatTime(value, locale = 'zh-CN') {
  if (!value) return ''
  return fmt(locale, { hour: '2-digit', minute: '2-digit', hour12: false }).format(toDate(value))
}

/** `2026-11-23` of a moment, in the district's calendar. */
export function districtDay(value = new Date()) {
  const parts = fmt('en', { year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(toDate(value))
  const get = (t) => parts.find((p) => p.type === t).value
  return `${get('year')}-${get('month')}-${get('day')}`
}

/** A district-local day plus n days, as `YYYY-MM-DD`. */
export function addDays(day, n) {
  const d = new Date(`${day}T12:00:00+08:00`)
  d.setUTCDate(d.getUTCDate() + n)
  return districtDay(d)
}

/** `2026-11-23` (district day) → ISO instant of its 00:00 in Asia/Shanghai. */
export function dayStartIso(day) {
  return `${day}T00:00:00+08:00`
}

/** `09:00:00` → `09:00`. */
export const hhmm = (t) => (t ? String(t).slice(0, 5) : '')

/** 1250 fen → `¥12.50`; 0 → the word for free. */
export function formatFee(fen, freeWord = '免费') {
  if (!fen) return freeWord
  return `¥${(fen / 100).toFixed(2)}`
}

export function formatDistance(m, t) {
  if (m === null || m === undefined) return ''
  if (m < 1000) return t('common.meters', { n: Math.round(m) })
  return t('common.km', { n: (m / 1000).toFixed(1) })
}

/** The name of a record in the reader's language (`name_zh` / `name_en`, English falls back). */
export function localName(record, locale) {
  if (!record) return ''
  if (locale === 'en') return record.name_en || record.name_zh || ''
  return record.name_zh || record.name_en || ''
}

export function formatNumber(n, locale = 'zh-CN', digits = 0) {
  if (n === null || n === undefined || Number.isNaN(Number(n))) return '—'
  return new Intl.NumberFormat(locale === 'en' ? 'en-GB' : 'zh-CN', { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(Number(n))
}

/** The quarter of a moment in the district: `2026Q4`. */
export function quarterOf(value = new Date()) {
  const [y, m] = districtDay(value).split('-').map(Number)
  return `${y}Q${Math.floor((m - 1) / 3) + 1}`
}
