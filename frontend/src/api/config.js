// Runtime settings a deployment can change without a rebuild: put a `config.json` beside
// index.html ({"tileUrl": "https://tiles.example/{z}/{x}/{y}.png", "tileAttribution": "…"}).
// Without it (the default), the map draws on a plain background and needs no tile server.
let pending = null

export function loadRuntimeConfig(fetchImpl = (...a) => globalThis.fetch(...a)) {
  if (!pending) {
    pending = fetchImpl('/config.json', { headers: { Accept: 'application/json' } })
      .then((resp) => (resp.ok && (resp.headers.get('content-type') || '').includes('json') ? resp.json() : {}))
      .catch(() => ({}))
  }
  return pending
}

export async function tileSettings() {
  const runtime = await loadRuntimeConfig()
  const url = runtime.tileUrl || import.meta.env.VITE_TILE_URL || ''
  const attribution = runtime.tileAttribution || import.meta.env.VITE_TILE_ATTRIBUTION || ''
  return url ? { url, attribution } : null
}

export function resetRuntimeConfig() {
  pending = null
}
