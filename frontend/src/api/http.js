// The one HTTP client of the SPA. Every feature's api.js calls `http.get/post/patch/delete` with an
// endpoint template from the gateway's OpenAPI (`/facilities/{facility_id}`), never a raw URL.
//
// - base `/api/v1` on the same origin (the gateway serves the SPA and the API);
// - `Authorization: Bearer` from the session, one refresh-and-retry on a 401;
// - `X-Request-ID` on every request, kept on the error so a resident can quote it;
// - RFC 9457 problem+json (and any other failure) → ApiError {status, title, detail, errors}.

export const API_BASE = '/api/v1'

export class ApiError extends Error {
  constructor({ status = 0, title = '', detail = '', type = 'about:blank', errors = [], requestId = '', kind = 'http', retryAfter = null } = {}) {
    super(detail || title || `HTTP ${status}`)
    this.name = 'ApiError'
    this.status = status
    this.title = title
    this.detail = detail
    this.type = type
    this.errors = Array.isArray(errors) ? errors : []
    this.requestId = requestId
    this.kind = kind // 'http' | 'network' | 'aborted'
    this.retryAfter = retryAfter // seconds, from Retry-After (429, 503)
  }

  /** The problem's slug: `/problems/sign-in-locked` → `sign-in-locked` ('' for about:blank). */
  get slug() {
    const m = /\/problems\/([a-z0-9-]+)$/.exec(String(this.type || ''))
    return m ? m[1] : ''
  }

  /** Field errors by the last segment of their field path: {seats: 'must be ≥ 1', ...}. */
  get fieldErrors() {
    const out = {}
    for (const e of this.errors) {
      const path = String(e.field || e.loc || '').split(/[.\/]/).filter(Boolean)
      const key = path.length ? path[path.length - 1] : '_'
      if (!(key in out)) out[key] = e
    }
    return out
  }
}

function newRequestId() {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID().replaceAll('-', '')
  return Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join('')
}

/** `/facilities/{facility_id}` + {facility_id: 3} → `/facilities/3` (each value URL-encoded). */
export function fillPath(template, params = {}) {
  return template.replace(/\{([^}]+)\}/g, (_, name) => {
    const value = params[name]
    if (value === undefined || value === null || value === '') {
      throw new Error(`missing path parameter "${name}" for ${template}`)
    }
    return encodeURIComponent(String(value))
  })
}

/** Query string without empty values; arrays repeat the key (FastAPI's list parameters). */
export function toQuery(query = {}) {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue
    if (Array.isArray(value)) value.forEach((v) => params.append(key, String(v)))
    else params.append(key, String(value))
  }
  const s = params.toString()
  return s ? `?${s}` : ''
}

async function toApiError(resp, requestId) {
  const type = resp.headers.get('content-type') || ''
  let body = null
  if (type.includes('json')) {
    try {
      body = await resp.json()
    } catch {
      body = null
    }
  }
  return new ApiError({
    status: resp.status,
    title: body?.title || resp.statusText || '',
    detail: typeof body?.detail === 'string' ? body.detail : '',
    type: body?.type || 'about:blank',
    errors: body?.errors || [],
    requestId: body?.request_id || resp.headers.get('x-request-id') || requestId,
    retryAfter: /^\d+$/.test(resp.headers.get('retry-after') || '') ? Number(resp.headers.get('retry-after')) : null,
  })
}

export function createHttp({ base = API_BASE, fetchImpl = (...a) => globalThis.fetch(...a) } = {}) {
  /** Set by the session store: how to get a token, refresh it, and what to do when it is gone. */
  const auth = {
    getToken: () => null,
    refresh: async () => false,
    onUnauthorized: () => {},
    getLanguage: () => 'zh-CN',
  }

  async function send(method, template, opts, retried) {
    const { path, query, body, form, headers = {}, auth: useAuth = true, signal, raw = false } = opts
    const url = base + fillPath(template, path) + toQuery(query)
    const requestId = newRequestId()
    const h = { Accept: 'application/json, application/problem+json', 'X-Request-ID': requestId, 'Accept-Language': auth.getLanguage(), ...headers }
    const token = useAuth ? auth.getToken() : null
    if (token) h.Authorization = `Bearer ${token}`
    let payload
    if (form) {
      payload = new URLSearchParams(Object.entries(form).filter(([, v]) => v !== undefined && v !== null))
      h['Content-Type'] = 'application/x-www-form-urlencoded'
    } else if (body !== undefined) {
      payload = JSON.stringify(body)
      h['Content-Type'] = 'application/json'
    }
    let resp
    try {
      resp = await fetchImpl(url, { method, headers: h, body: payload, signal, credentials: 'same-origin' })
    } catch (err) {
      if (err?.name === 'AbortError') throw new ApiError({ kind: 'aborted', title: 'aborted', requestId })
      throw new ApiError({ kind: 'network', title: 'network', detail: String(err?.message || err), requestId })
    }
    if (resp.status === 401 && token && !retried) {
      let refreshed = false
      try {
        refreshed = await auth.refresh()
      } catch {
        refreshed = false
      }
      if (refreshed) return send(method, template, opts, true)
      auth.onUnauthorized()
    }
    if (!resp.ok) throw await toApiError(resp, requestId)
    if (raw) return resp
    if (resp.status === 204) return null
    const type = resp.headers.get('content-type') || ''
    const data = type.includes('json') ? await resp.json() : await resp.text()
    if (opts.withMeta) return { data, etag: resp.headers.get('etag'), requestId: resp.headers.get('x-request-id') || requestId }
    return data
  }

  return {
    auth,
    request: (method, template, opts = {}) => send(method, template, opts, false),
    get: (template, opts) => send('GET', template, opts || {}, false),
    post: (template, opts) => send('POST', template, opts || {}, false),
    patch: (template, opts) => send('PATCH', template, opts || {}, false),
    delete: (template, opts) => send('DELETE', template, opts || {}, false),
    url: (template, { path, query } = {}) => base + fillPath(template, path) + toQuery(query),
  }
}

/** The app's client. Tests build their own with `createHttp({fetchImpl})`. */
export const http = createHttp()
