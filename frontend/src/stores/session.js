// Who is signed in. The access token lives in memory only; the refresh token is remembered in
// localStorage so a resident stays signed in across visits (it rotates on every use, and
// signing out revokes it at the gateway).
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { http } from '../api/http.js'
import * as authApi from '../features/auth/api.js'

const REFRESH_KEY = 'culture-ops.refresh'

function storage() {
  try {
    return globalThis.localStorage ?? null
  } catch {
    return null
  }
}

export const useSessionStore = defineStore('session', () => {
  const user = ref(null)
  const accessToken = ref(null)
  const refreshToken = ref(storage()?.getItem(REFRESH_KEY) || null)
  const restoring = ref(false)
  let refreshing = null

  const role = computed(() => user.value?.role || 'anonymous')
  const signedIn = computed(() => !!user.value)
  const isResident = computed(() => role.value === 'resident')
  const isOperator = computed(() => role.value === 'operator')
  const isOfficial = computed(() => role.value === 'official')
  const isAuditor = computed(() => role.value === 'auditor')
  const canSeeDashboard = computed(() => isOfficial.value || isAuditor.value)
  /** An official bound to one subdistrict sees only that one. */
  const scopeSubdistrict = computed(() => user.value?.subdistrict || null)

  function keepTokens(tokens) {
    accessToken.value = tokens.access_token
    refreshToken.value = tokens.refresh_token
    storage()?.setItem(REFRESH_KEY, tokens.refresh_token)
  }

  function clear() {
    user.value = null
    accessToken.value = null
    refreshToken.value = null
    storage()?.removeItem(REFRESH_KEY)
  }

  async function signIn(username, password) {
    const tokens = await authApi.signIn(username, password)
    keepTokens(tokens)
    user.value = await authApi.fetchMe()
    return user.value
  }

  /** Registration answers 202 whether or not the phone number already had an account (so sign-up
   *  cannot tell who is registered): sign in afterwards. A refused sign-in then (the number was taken,
   *  with another password) resolves to null, never to "that number is registered". */
  async function signUp(data) {
    await authApi.register(data)
    try {
      return await signIn(data.username || data.phone, data.password)
    } catch (err) {
      if (err?.status === 401) return null
      throw err
    }
  }

  /** One refresh at a time: concurrent 401s share it (a refresh token works only once). */
  function refresh() {
    if (!refreshToken.value) return Promise.resolve(false)
    if (!refreshing) {
      const token = refreshToken.value
      refreshing = authApi
        .refreshTokens(token)
        .then((tokens) => {
          keepTokens(tokens)
          return true
        })
        .catch(() => {
          clear()
          return false
        })
        .finally(() => {
          refreshing = null
        })
    }
    return refreshing
  }

  /** On start: a remembered refresh token becomes a session again (once, however many ask). */
  let restoringPromise = null
  function restore() {
    if (!refreshToken.value || user.value) return Promise.resolve()
    if (!restoringPromise) {
      restoring.value = true
      restoringPromise = (async () => {
        try {
          if (await refresh()) user.value = await authApi.fetchMe()
        } catch {
          clear()
        } finally {
          restoring.value = false
          restoringPromise = null
        }
      })()
    }
    return restoringPromise
  }

  async function signOut() {
    const token = refreshToken.value
    clear()
    if (token) {
      try {
        await authApi.signOut(token)
      } catch {
        // the token is forgotten here either way
      }
    }
  }

  return {
    user, accessToken, refreshToken, restoring, role, signedIn, isResident, isOperator, isOfficial, isAuditor,
    canSeeDashboard, scopeSubdistrict, signIn, signUp, signOut, refresh, restore, clear,
  }
})

/** Connects the HTTP client to the session (called once from main.js). */
export function wireHttpToSession(session, { getLanguage, onExpired } = {}) {
  http.auth.getToken = () => session.accessToken
  http.auth.refresh = () => session.refresh()
  http.auth.onUnauthorized = () => {
    session.clear()
    onExpired?.()
  }
  if (getLanguage) http.auth.getLanguage = getLanguage
}
