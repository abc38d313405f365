import { describe, expect, it, vi } from 'vitest'
import { ApiError, createHttp, fillPath, toQuery } from '../http.js'

function jsonResponse(status, body, headers = {}) {
  return new Response(body === null ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers },
  })
}

describe('fillPath and toQuery', () => {
  it('fills and encodes path parameters', () => {
    expect(fillPath('/facilities/{facility_id}/services', { facility_id: 7 })).toBe('/facilities/7/services')
    expect(fillPath('/x/{code}', { code: '东 四/1' })).toBe('/x/%E4%B8%9C%20%E5%9B%9B%2F1')
  })
  it('refuses a missing path parameter instead of calling a wrong URL', () => {
    expect(() => fillPath('/facilities/{facility_id}', {})).toThrow(/facility_id/)
  })
  it('drops empty values and repeats array keys', () => {
    expect(toQuery({ q: '景山', kind: '', open_now: true, accessibility: ['elevator', 'braille'], x: null })).toBe(
      '?q=%E6%99%AF%E5%B1%B1&open_now=true&accessibility=elevator&accessibility=braille',
    )
    expect(toQuery({})).toBe('')
  })
})

describe('createHttp', () => {
  it('sends the base path, a request id, the language and the bearer token', async () => {
    const fetchImpl = vi.fn(async () => jsonResponse(200, { ok: true }))
    const http = createHttp({ fetchImpl })
    http.auth.getToken = () => 'tok'
    http.auth.getLanguage = () => 'en'
    await http.get('/facilities/{facility_id}', { path: { facility_id: 3 }, query: { days: 7 } })
    const [url, init] = fetchImpl.mock.calls[0]
    expect(url).toBe('/api/v1/facilities/3?days=7')
    expect(init.headers.Authorization).toBe('Bearer tok')
    expect(init.headers['X-Request-ID']).toMatch(/^[0-9a-f]{32}$/)
    expect(init.headers['Accept-Language']).toBe('en')
  })

  it('posts JSON bodies and form bodies', async () => {
    const fetchImpl = vi.fn(async () => jsonResponse(201, { id: 1 }))
    const http = createHttp({ fetchImpl })
    await http.post('/ratings', { body: { overall: 5 } })
    expect(fetchImpl.mock.calls[0][1].headers['Content-Type']).toBe('application/json')
    expect(fetchImpl.mock.calls[0][1].body).toBe('{"overall":5}')
    await http.post('/auth/token', { form: { username: 'a', password: 'b' }, auth: false })
    expect(fetchImpl.mock.calls[1][1].headers['Content-Type']).toBe('application/x-www-form-urlencoded')
    expect(String(fetchImpl.mock.calls[1][1].body)).toBe('username=a&password=b')
  })

  it('turns problem+json into an ApiError with status, title, detail and field errors', async () => {
    const problem = {
      type: '/problems/validation',
      title: 'Invalid input',
      status: 422,
      detail: 'seats: must be at least 1',
      request_id: 'abc',
      errors: [{ field: 'body.seats', message: 'Input should be greater than or equal to 1', code: 'greater_than_equal' }],
    }
    const http = createHttp({ fetchImpl: async () => jsonResponse(422, problem) })
    const err = await http.post('/activities/{activity_id}/bookings', { path: { activity_id: 1 }, body: { seats: 0 } }).catch((e) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(422)
    expect(err.title).toBe('Invalid input')
    expect(err.requestId).toBe('abc')
    expect(err.fieldErrors.seats.code).toBe('greater_than_equal')
  })

  it('reports a network failure as an ApiError of kind network', async () => {
    const http = createHttp({ fetchImpl: async () => { throw new TypeError('Failed to fetch') } })
    const err = await http.get('/facilities').catch((e) => e)
    expect(err.kind).toBe('network')
    expect(err.status).toBe(0)
  })

  it('refreshes once on a 401 and retries with the new token', async () => {
    let token = 'old'
    const fetchImpl = vi.fn(async (url, init) =>
      init.headers.Authorization === 'Bearer new' ? jsonResponse(200, { role: 'resident' }) : jsonResponse(401, { title: 'Unauthorized', status: 401 }),
    )
    const http = createHttp({ fetchImpl })
    http.auth.getToken = () => token
    http.auth.refresh = vi.fn(async () => {
      token = 'new'
      return true
    })
    await expect(http.get('/me')).resolves.toEqual({ role: 'resident' })
    expect(http.auth.refresh).toHaveBeenCalledTimes(1)
    expect(fetchImpl).toHaveBeenCalledTimes(2)
  })

  it('gives up and signs out when the refresh fails', async () => {
    const http = createHttp({ fetchImpl: async () => jsonResponse(401, { title: 'Unauthorized', status: 401 }) })
    http.auth.getToken = () => 'old'
    http.auth.refresh = async () => false
    http.auth.onUnauthorized = vi.fn()
    const err = await http.get('/me').catch((e) => e)
    expect(err.status).toBe(401)
    expect(http.auth.onUnauthorized).toHaveBeenCalledOnce()
  })

  it('returns null for 204 and the ETag when asked', async () => {
    const http = createHttp({
      fetchImpl: async (url, init) =>
        init.method === 'DELETE' ? new Response(null, { status: 204 }) : jsonResponse(200, { id: 1 }, { etag: '"v3"' }),
    })
    await expect(http.delete('/api-keys/{key_id}', { path: { key_id: 1 } })).resolves.toBeNull()
    await expect(http.get('/facilities/{facility_id}', { path: { facility_id: 1 }, withMeta: true })).resolves.toMatchObject({ data: { id: 1 }, etag: '"v3"' })
  })
})
