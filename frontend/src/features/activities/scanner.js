// Reading a check-in code from a QR code with the camera: the browser's BarcodeDetector (Shape
// Detection API) on getUserMedia frames. Feature-detected: where either is missing (most desktop
// browsers on Linux and Windows, Firefox, older Safari) the desk offers typed entry only.

/** Whether this browser can scan QR codes with a camera. */
export async function canScanQr(g = globalThis) {
  if (typeof g.BarcodeDetector !== 'function' || !g.navigator?.mediaDevices?.getUserMedia) return false
  try {
    const formats = typeof g.BarcodeDetector.getSupportedFormats === 'function' ? await g.BarcodeDetector.getSupportedFormats() : ['qr_code']
    return formats.includes('qr_code')
  } catch {
    return false
  }
}

/**
 * The check-in code inside what a QR code holds: the bare code (`ABCD2345`, `abcd-2345`), or a link
 * or text carrying it (`https://…?code=ABCD2345`). Null when nothing looks like a code.
 */
export function codeFromQr(raw) {
  let text = String(raw || '').trim()
  if (!text) return null
  try {
    const url = new URL(text)
    text = url.searchParams.get('code') || url.pathname.split('/').filter(Boolean).pop() || ''
  } catch {
    // not a link: the text itself
  }
  const bare = text.replace(/[-\s]/g, '').toUpperCase()
  if (/^[A-Z0-9]{4,12}$/.test(bare)) return bare
  const found = text.toUpperCase().match(/\b[A-HJ-NP-Z2-9]{8}\b/)
  return found ? found[0] : null
}

/**
 * Start the rear camera on `video` and call `onCode(code)` for each code read (the same code again
 * only after `repeatMs`). Returns `stop()`, which releases the camera.
 */
export async function startQrScan(video, onCode, { g = globalThis, intervalMs = 250, repeatMs = 4000 } = {}) {
  const stream = await g.navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: 'environment' } }, audio: false })
  const detector = new g.BarcodeDetector({ formats: ['qr_code'] })
  let stopped = false
  let timer = null
  let last = { code: null, at: 0 }
  video.srcObject = stream
  video.setAttribute('playsinline', '')
  video.muted = true
  await video.play?.()

  async function tick() {
    if (stopped) return
    try {
      const found = await detector.detect(video)
      for (const b of found || []) {
        const code = codeFromQr(b.rawValue)
        const now = Date.now()
        if (code && (code !== last.code || now - last.at > repeatMs)) {
          last = { code, at: now }
          onCode(code)
          break
        }
      }
    } catch {
      // a frame that is not ready yet: try the next one
    }
    if (!stopped) timer = setTimeout(tick, intervalMs)
  }
  tick()

  return function stop() {
    stopped = true
    clearTimeout(timer)
    for (const track of stream.getTracks()) track.stop()
    video.srcObject = null
  }
}
