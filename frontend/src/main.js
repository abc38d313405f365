import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import './styles.css'
import { makeI18n } from './locales/index.js'
import { makeRouter } from './router/index.js'
import { usePrefsStore } from './stores/prefs.js'
import { useSessionStore, wireHttpToSession } from './stores/session.js'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
const prefs = usePrefsStore()
const i18n = makeI18n(prefs.locale)
app.use(i18n)
const session = useSessionStore()
const router = makeRouter(session)
wireHttpToSession(session, {
  getLanguage: () => prefs.locale,
  onExpired: () => {
    const here = router.currentRoute.value
    if (here.meta?.roles) router.push({ name: 'signin', query: { next: here.fullPath, expired: '1' } })
  },
})
app.use(router)
app.mount('#app')
session.restore()
