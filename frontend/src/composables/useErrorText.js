import { useI18n } from 'vue-i18n'

/** An ApiError (or any error) as text in the reader's language. */
export function useErrorText() {
  const { t, te } = useI18n()

  function summary(error) {
    if (!error) return ''
    if (error.kind === 'network') return t('errors.network')
    const status = error.status
    // A problem the app knows by name says more than its status (a locked sign-in, a disabled account).
    if (error.slug && te(`errors.problem.${error.slug}`)) {
      return t(`errors.problem.${error.slug}`, { minutes: Math.max(1, Math.ceil((error.retryAfter || 60) / 60)) })
    }
    if (status && te(`errors.status.${status}`)) return t(`errors.status.${status}`)
    if (status) return t('errors.status.other', { status })
    return t('errors.title')
  }

  function fieldText(e) {
    if (!e) return ''
    if (e.code && te(`errors.field.${e.code}`)) return t(`errors.field.${e.code}`)
    return e.message || t('errors.field.value_error')
  }

  return { summary, fieldText }
}
