import { ref } from 'vue'

/** The browser's position, asked for only when the resident presses the button. */
export function useGeolocation() {
  const position = ref(null)
  const locating = ref(false)
  const failed = ref(false)

  function locate() {
    const geo = globalThis.navigator?.geolocation
    if (!geo) {
      failed.value = true
      return Promise.resolve(null)
    }
    locating.value = true
    failed.value = false
    return new Promise((resolve) => {
      geo.getCurrentPosition(
        (p) => {
          position.value = { lat: Number(p.coords.latitude.toFixed(5)), lon: Number(p.coords.longitude.toFixed(5)) }
          locating.value = false
          resolve(position.value)
        },
        () => {
          locating.value = false
          failed.value = true
          resolve(null)
        },
        { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 },
      )
    })
  }

  return { position, locating, failed, locate }
}
