import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'

vi.mock('../../features/auth/api.js', () => ({
  signIn: vi.fn(async () => ({ access_token: 'a1', refresh_token: 'r1', token_type: 'bearer', expires_in: 900 })),
  register: vi.fn(async () => ({ id: 9 })),
  refreshTokens: vi.fn(async () => ({ access_token: 'a2', refresh_token: 'r2', token_type: 'bearer', expires_in: 900 })),
  signOut: vi.fn(async () => null),
  fetchMe: vi.fn(async () => ({ id: 1, role: 'resident', display_name: '李华', subdistrict: null })),
}))

import * as authApi from '../../features/auth/api.js'
import { useSessionStore } from '../session.js'

describe('session store', () => {
  beforeEach(() => {
    localStorage.clear()
    vi.clearAllMocks()
    setActivePinia(createPinia())
  })

  it('signs in, keeps the refresh token and knows the role', async () => {
    const s = useSessionStore()
    await s.signIn('demo-resident', 'pw')
    expect(s.accessToken).toBe('a1')
    expect(localStorage.getItem('culture-ops.refresh')).toBe('r1')
    expect(s.isResident).toBe(true)
    expect(s.canSeeDashboard).toBe(false)
  })

  it('signs up (202, no account details) and then signs in', async () => {
    const s = useSessionStore()
    authApi.register.mockResolvedValueOnce({ detail: 'accepted' })
    const user = await s.signUp({ username: 'li-hua', password: 'pw-long-enough', display_name: '李华' })
    expect(authApi.signIn).toHaveBeenCalledWith('li-hua', 'pw-long-enough')
    expect(user.display_name).toBe('李华')
  })

  it('does not tell a taken phone number: the refused sign-in after sign-up resolves to null', async () => {
    const s = useSessionStore()
    authApi.register.mockResolvedValueOnce({ detail: 'accepted' })
    authApi.signIn.mockRejectedValueOnce(Object.assign(new Error('Unauthorized'), { status: 401 }))
    const user = await s.signUp({ phone: '13800138000', password: 'pw-long-enough', display_name: '李华' })
    expect(user).toBeNull()
    expect(s.signedIn).toBe(false)
  })

  it('refreshes once for concurrent callers (a refresh token works only once)', async () => {
    const s = useSessionStore()
    await s.signIn('demo-resident', 'pw')
    const [a, b] = await Promise.all([s.refresh(), s.refresh()])
    expect(a && b).toBe(true)
    expect(authApi.refreshTokens).toHaveBeenCalledTimes(1)
    expect(s.accessToken).toBe('a2')
    expect(localStorage.getItem('culture-ops.refresh')).toBe('r2')
  })

  it('restores a session from a remembered refresh token', async () => {
    localStorage.setItem('culture-ops.refresh', 'r0')
    const s = useSessionStore()
    await Promise.all([s.restore(), s.restore()])
    expect(authApi.refreshTokens).toHaveBeenCalledWith('r0')
    expect(authApi.fetchMe).toHaveBeenCalledTimes(1)
    expect(s.signedIn).toBe(true)
  })

  it('forgets everything when the refresh is refused', async () => {
    authApi.refreshTokens.mockRejectedValueOnce(new Error('401'))
    localStorage.setItem('culture-ops.refresh', 'stale')
    const s = useSessionStore()
    await s.restore()
    expect(s.signedIn).toBe(false)
    expect(localStorage.getItem('culture-ops.refresh')).toBeNull()
  })

  it('signs out locally even when the gateway cannot be reached', async () => {
    authApi.signOut.mockRejectedValueOnce(new Error('network'))
    const s = useSessionStore()
    await s.signIn('demo-resident', 'pw')
    await s.signOut()
    expect(s.user).toBeNull()
    expect(authApi.signOut).toHaveBeenCalledWith('r1')
    expect(localStorage.getItem('culture-ops.refresh')).toBeNull()
  })

  it('scopes a subdistrict official', async () => {
    authApi.fetchMe.mockResolvedValueOnce({ id: 5, role: 'official', subdistrict: 'jingshan', display_name: 'x' })
    const s = useSessionStore()
    await s.signIn('demo-subdistrict-official', 'pw')
    expect(s.canSeeDashboard).toBe(true)
    expect(s.scopeSubdistrict).toBe('jingshan')
  })
})
