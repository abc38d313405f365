// Mounting helpers for component tests: a real i18n, Pinia and an in-memory router.
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { makeI18n } from '../../locales/index.js'

export function plugins({ locale = 'zh-CN' } = {}) {
  const pinia = createPinia()
  setActivePinia(pinia)
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', name: 'home', component: { template: '<div />' } },
      { path: '/signin', name: 'signin', component: { template: '<div />' } },
      { path: '/activities/:id', name: 'activity', component: { template: '<div />' } },
      { path: '/facilities/:id', name: 'facility', component: { template: '<div />' } },
      { path: '/cases/:id', name: 'case', component: { template: '<div />' } },
      ...['my-cases', 'operator', 'workbench', 'my-bookings', 'my-ratings', 'new-case', 'dashboard', 'operator-cases'].map((name) => ({ path: `/${name}`, name, component: { template: '<div />' } })),
    ],
  })
  return { pinia, router, i18n: makeI18n(locale), list: [pinia, router, makeI18n(locale)] }
}
