// Every endpoint a feature's api.js calls exists in the gateway's OpenAPI snapshot
// (frontend/openapi.json, regenerated with `npm run gen:api`): a renamed or removed endpoint
// fails here, not on a resident's phone.
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { endpoints } from '../generated/endpoints.js'

const root = join(process.cwd(), 'src') + '/'
function apiModules(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) return name === '__tests__' ? [] : apiModules(p)
    return name === 'api.js' ? [p] : []
  })
}

const calls = []
for (const file of apiModules(join(root, 'features'))) {
  const src = readFileSync(file, 'utf8')
  for (const m of src.matchAll(/http\.(get|post|patch|delete|url)\(\s*'([^']+)'/g)) {
    calls.push({ file: file.slice(root.length), method: m[1] === 'url' ? 'GET' : m[1].toUpperCase(), path: m[2] })
  }
}

describe('feature api modules', () => {
  it('call at least the core endpoints', () => {
    expect(calls.length).toBeGreaterThan(20)
  })
  it.each(calls.map((c) => [`${c.method} ${c.path}`, c.file]))('%s (%s) is in the OpenAPI snapshot', (key) => {
    expect(Object.keys(endpoints)).toContain(key)
  })
})
