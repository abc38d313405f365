// The SPA's layers, checked on the source: only a feature's api.js calls the HTTP client, nothing
// calls fetch but the client itself, and the role pages in views/ compose features, never the
// other way round.
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = join(process.cwd(), 'src')

function sources(dir = root) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) return name === '__tests__' || name === 'generated' ? [] : sources(p)
    return /\.(js|vue)$/.test(name) ? [relative(root, p).split('\\').join('/')] : []
  })
}

/** Every module specifier a file imports (static, dynamic, re-exports), resolved against src/. */
export function importsOf(file, text) {
  const dir = file.split('/').slice(0, -1)
  const out = []
  for (const m of text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"]([^'"]+)['"]/g)) {
    const spec = m[1]
    if (!spec.startsWith('.')) {
      out.push(spec)
      continue
    }
    const parts = [...dir]
    for (const seg of spec.split('/')) {
      if (seg === '..') parts.pop()
      else if (seg !== '.') parts.push(seg)
    }
    out.push(parts.join('/'))
  }
  return out
}

const HTTP_CLIENT = 'api/http.js'
// Allowed to import the client: the client's own folder, each feature's api.js, and the session
// store, which hands the client its token and refresh (it makes no call of its own).
const mayImportClient = (file) => file.startsWith('api/') || /^features\/[^/]+\/api\.js$/.test(file) || file === 'stores/session.js'

/** The rule breaches in one file's text: [] when it keeps to its layer. */
export function breaches(file, text) {
  const found = []
  const imports = importsOf(file, text)
  if (!mayImportClient(file) && imports.includes(HTTP_CLIENT)) found.push(`${file} imports the HTTP client (call a feature's api.js)`)
  if (!file.startsWith('api/') && /\b(fetch\s*\(|XMLHttpRequest|navigator\.sendBeacon)/.test(text)) {
    found.push(`${file} calls the network itself (call a feature's api.js)`)
  }
  if (!file.startsWith('views/') && !file.startsWith('router/') && imports.some((p) => p.startsWith('views/'))) {
    found.push(`${file} imports a role page from views/ (views compose features, not the other way round)`)
  }
  return found
}

describe('layers of the SPA', () => {
  const files = sources()

  it('finds the components, views and feature modules', () => {
    expect(files.filter((f) => f.endsWith('.vue')).length).toBeGreaterThan(50)
    expect(files.filter((f) => /^features\/[^/]+\/api\.js$/.test(f)).length).toBeGreaterThan(15)
  })

  it('leaves the HTTP client to the features’ api.js and keeps views on top', () => {
    const found = files.flatMap((f) => breaches(f, readFileSync(join(root, f), 'utf8')))
    expect(found).toEqual([])
  })

  it('catches a component that calls the client, fetch, or a view', () => {
    expect(breaches('features/fees/components/FeeCard.vue', "import { http } from '../../../api/http.js'")).toHaveLength(1)
    expect(breaches('views/operator/OperatorFeesView.vue', "import { ApiError } from '../../api/http.js'")).toHaveLength(1)
    expect(breaches('features/fees/components/FeeCard.vue', "const r = await fetch('/api/v1/fee-applications')")).toHaveLength(1)
    expect(breaches('composables/usePortal.js', "import PortalNav from '../views/operator/PortalNav.vue'")).toHaveLength(1)
    expect(breaches('features/fees/api.js', "import { http } from '../../api/http.js'")).toEqual([])
    expect(breaches('views/operator/OperatorFeesView.vue', "import FeeCard from '../../features/fees/components/FeeCard.vue'")).toEqual([])
  })
})
