import { http } from '../../api/http.js'

/** Sign in with a user name or phone number (OAuth2 password form). */
export const signIn = (username, password) =>
  http.post('/auth/token', { form: { username, password, grant_type: 'password' }, auth: false })

export const register = (data) => http.post('/auth/register', { body: data, auth: false })

export const refreshTokens = (refreshToken) =>
  http.post('/auth/refresh', { body: { refresh_token: refreshToken }, auth: false })

export const signOut = (refreshToken) =>
  http.post('/auth/logout', { body: { refresh_token: refreshToken }, auth: false })

export const fetchMe = () => http.get('/me')
