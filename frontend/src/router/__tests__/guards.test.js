import { describe, expect, it, vi } from 'vitest'
import { guard, landingFor } from '../guards.js'

const route = (roles, fullPath = '/dashboard') => ({ meta: roles ? { roles } : {}, fullPath })

describe('role guard', () => {
  it('lets anyone open public pages', async () => {
    expect(await guard(route(null), { user: null })).toBe(true)
  })
  it('sends anonymous users to sign in and back', async () => {
    expect(await guard(route(['official']), { user: null, refreshToken: null })).toEqual({ name: 'signin', query: { next: '/dashboard' } })
  })
  it('restores a remembered session before deciding', async () => {
    const session = { user: null, refreshToken: 'r', restore: vi.fn(async () => (session.user = { role: 'official' })) }
    expect(await guard(route(['official', 'auditor']), session)).toBe(true)
    expect(session.restore).toHaveBeenCalledOnce()
  })
  it('shows the forbidden page to another role', async () => {
    expect(await guard(route(['official']), { user: { role: 'resident' } })).toEqual({ name: 'forbidden', query: { from: '/dashboard' } })
  })
  it('lands each role on its own page', () => {
    expect(landingFor('operator')).toEqual({ name: 'operator' })
    expect(landingFor('auditor')).toEqual({ name: 'dashboard' })
    expect(landingFor('resident')).toEqual({ name: 'home' })
  })
})
