// A fake of the app's HTTP client for component tests: answers by "METHOD /template" (the
// OpenAPI path templates the feature's api.js uses) and records every call.
import { vi } from 'vitest'
import { ApiError } from '../../api/http.js'

export function problem(status, detail = '', errors = []) {
  return new ApiError({ status, title: `HTTP ${status}`, detail, errors, requestId: 'req-test' })
}

/** `routes`: {'GET /service-reports': value | (opts) => value | ApiError}. */
export function fakeHttp(http, routes) {
  const calls = []
  for (const method of ['get', 'post', 'patch', 'delete']) {
    http[method].mockImplementation(async (template, opts = {}) => {
      const key = `${method.toUpperCase()} ${template}`
      calls.push({ key, ...opts })
      if (!(key in routes)) throw problem(404, `no fake for ${key}`)
      let answer = routes[key]
      if (typeof answer === 'function') answer = await answer(opts)
      if (answer instanceof Error) throw answer
      return structuredClone(answer)
    })
  }
  return { calls, bodyOf: (key) => calls.filter((c) => c.key === key).map((c) => c.body) }
}

export const httpMock = () => ({ http: { get: vi.fn(), post: vi.fn(), patch: vi.fn(), delete: vi.fn(), url: vi.fn() } })
