/**
 * Role guard: a route with `meta.roles` needs a signed-in user with one of them. Anonymous users
 * go to sign-in (and come back); signed-in users with another role see the forbidden page.
 * Each service still checks every request itself: this only keeps people off pages they cannot use.
 */
export async function guard(to, session) {
  // A returning user's session is restored before any page renders, so public pages that show
  // personal parts (a booking panel) render them the first time.
  if (!session.user && session.refreshToken) await session.restore()
  const roles = to.meta?.roles
  if (!roles) return true
  if (!session.user) return { name: 'signin', query: { next: to.fullPath } }
  if (!roles.includes(session.user.role)) return { name: 'forbidden', query: { from: to.fullPath } }
  return true
}

/** Where a user lands after signing in, by role. */
export function landingFor(role) {
  if (role === 'operator') return { name: 'operator' }
  if (role === 'official' || role === 'auditor') return { name: 'dashboard' }
  return { name: 'home' }
}
