import { createI18n } from 'vue-i18n'
import zhCN from './zh-CN.js'
import en from './en.js'
// Feature message files, each exporting { <namespace>: {...} }, merged over the base messages.
import portalZhCN from './portal.zh-CN.js'
import portalEn from './portal.en.js'
import benchZhCN from './workbench.zh-CN.js'
import benchEn from './workbench.en.js'

export const messages = { 'zh-CN': { ...zhCN, ...portalZhCN, ...benchZhCN }, en: { ...en, ...portalEn, ...benchEn } }

export function makeI18n(locale = 'zh-CN') {
  return createI18n({
    legacy: false,
    locale,
    fallbackLocale: 'zh-CN',
    messages,
    missingWarn: false,
    fallbackWarn: false,
  })
}
