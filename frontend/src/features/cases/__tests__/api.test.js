import { describe, expect, it, vi } from 'vitest'

vi.mock('../../../api/http.js', () => ({ http: { get: vi.fn(), post: vi.fn(async () => ({})) } }))

import { http } from '../../../api/http.js'
import { confirmCase, respondCase } from '../api.js'

describe('case transitions', () => {
  it('send If-Match with the version they were read at', async () => {
    await respondCase({ id: 7, version: 4 }, '答复')
    expect(http.post).toHaveBeenCalledWith('/cases/{case_id}/respond', { path: { case_id: 7 }, headers: { 'If-Match': '"v4"' }, body: { text: '答复' } })
  })
  it('confirm without a rating sends no body fields', async () => {
    await confirmCase({ id: 7, version: 5 }, null)
    expect(http.post).toHaveBeenLastCalledWith('/cases/{case_id}/confirm', { path: { case_id: 7 }, headers: { 'If-Match': '"v5"' }, body: null })
  })
})
