// Reports the gzipped JavaScript of the resident home page from the build's manifest: the entry
// with everything it imports statically, plus the map component the home page loads at once.
// Run after `npm run build`. The e2e test measures the same in Chromium and asserts < 250 KB.
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'

const dist = new URL('../dist/', import.meta.url)
const manifest = JSON.parse(readFileSync(new URL('.vite/manifest.json', dist), 'utf8'))
const seen = new Set()
function closure(key) {
  const chunk = manifest[key]
  if (!chunk || seen.has(chunk.file)) return
  seen.add(chunk.file)
  for (const dep of chunk.imports || []) closure(dep)
}
closure('index.html')
const map = Object.keys(manifest).find((k) => k.endsWith('components/FacilityMap.vue'))
if (map) closure(map)
const gz = (file) => gzipSync(readFileSync(new URL(file, dist)), { level: 9 }).length
const rows = [...seen].map((file) => [file, gz(file)]).sort((a, b) => b[1] - a[1])
for (const [file, size] of rows) console.log(`${(size / 1024).toFixed(1).padStart(7)} KB  ${file}`)
const total = rows.reduce((n, [, s]) => n + s, 0)
console.log(`${(total / 1024).toFixed(1).padStart(7)} KB  resident home page JavaScript, gzipped (budget 250 KB)`)
const charts = Object.values(manifest).find((c) => c.file.includes('charts'))
if (charts) console.log(`${(gz(charts.file) / 1024).toFixed(1).padStart(7)} KB  dashboard charts chunk (loaded only by the dashboard)`)
process.exit(total < 250 * 1024 ? 0 : 1)
