// Mounting helpers for the portal's component tests: a real i18n (with the portal's messages),
// Pinia with a signed-in operator, and an in-memory router with the app's own routes (so the
// portal's links resolve by name).
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { makeI18n } from '../../locales/index.js'
import { routes } from '../../router/index.js'
import { useSessionStore } from '../../stores/session.js'

export const OPERATOR = { role: 'operator', display_name: '美后肆时运营', operator_id: 1 }

export function mountPortal(component, { props = {}, locale = 'zh-CN', user = OPERATOR } = {}) {
  const pinia = createPinia()
  setActivePinia(pinia)
  if (user) useSessionStore().user = user
  const router = createRouter({ history: createMemoryHistory(), routes })
  return mount(component, { props, global: { plugins: [pinia, router, makeI18n(locale)] } })
}
