// Saves the gateway's merged OpenAPI document as the committed snapshot `openapi.json`.
// The platform must be running (`make run`); OPENAPI_URL points elsewhere if needed.
import { writeFile } from 'node:fs/promises'

const url = process.env.OPENAPI_URL || 'http://127.0.0.1:8000/api/v1/openapi.json'
const resp = await fetch(url)
if (!resp.ok) {
  console.error(`GET ${url} answered ${resp.status}: start the platform first (make run)`)
  process.exit(1)
}
const doc = await resp.json()
if (doc.info?.['x-unavailable-services']) {
  console.error(`some services did not answer: ${JSON.stringify(doc.info['x-unavailable-services'])}`)
  process.exit(1)
}
await writeFile(new URL('../openapi.json', import.meta.url), JSON.stringify(doc, null, 2) + '\n')
console.log(`openapi.json: ${Object.keys(doc.paths).length} paths`)
