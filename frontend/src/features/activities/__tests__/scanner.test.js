import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'

vi.mock('../api.js', () => ({
  getActivity: vi.fn(async () => ({ id: 7, title: '书海听涛读书会', starts_at: '2026-11-24T06:00:00Z', ends_at: '2026-11-24T08:00:00Z', facility_name_zh: '角楼图书馆', booked_seats: 3 })),
  activityBookings: vi.fn(async () => ({ items: [], next_cursor: null })),
  checkIn: vi.fn(async (id, code) => ({ resident_name: '张*', seats: 2, code })),
}))

import * as activities from '../api.js'
import ActivityDeskView from '../../../views/operator/ActivityDeskView.vue'
import { canScanQr, codeFromQr } from '../scanner.js'
import { mountPortal } from '../../../components/__tests__/mountPortal.js'

describe('reading a check-in code from a QR code', () => {
  it('takes the bare code, a dashed or lower-case one, or one inside a link', () => {
    expect(codeFromQr('ABCD2345')).toBe('ABCD2345')
    expect(codeFromQr(' abcd-2345 ')).toBe('ABCD2345')
    expect(codeFromQr('https://culture.example/check-in?code=WXYZ6789')).toBe('WXYZ6789')
    expect(codeFromQr('签到码：HJKM2345，请出示')).toBe('HJKM2345')
    expect(codeFromQr('')).toBe(null)
    expect(codeFromQr('你好')).toBe(null)
  })

  it('is offered only where BarcodeDetector reads QR codes and a camera can be asked for', async () => {
    expect(await canScanQr({ navigator: {} })).toBe(false)
    const g = { navigator: { mediaDevices: { getUserMedia() {} } }, BarcodeDetector: class {} }
    g.BarcodeDetector.getSupportedFormats = async () => ['ean_13']
    expect(await canScanQr(g)).toBe(false)
    g.BarcodeDetector.getSupportedFormats = async () => ['qr_code', 'ean_13']
    expect(await canScanQr(g)).toBe(true)
  })
})

describe('check-in desk', () => {
  const stopTrack = vi.fn()
  beforeEach(() => vi.clearAllMocks())
  afterEach(() => {
    delete globalThis.BarcodeDetector
    delete globalThis.navigator.mediaDevices
  })

  it('hides the scan button where the browser cannot scan, and typed entry works', async () => {
    const w = mountPortal(ActivityDeskView, { props: { id: '7' } })
    await flushPromises()
    expect(w.find('[data-test=scan]').exists()).toBe(false)
    await w.find('[data-test=check-in-code-input]').setValue('abcd2345')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(activities.checkIn).toHaveBeenCalledWith('7', 'ABCD2345')
    expect(w.find('[data-test=checked-in]').text()).toContain('张*')
  })

  it('checks a resident in from a QR code read by the camera, then releases the camera', async () => {
    globalThis.BarcodeDetector = class {
      static async getSupportedFormats() {
        return ['qr_code']
      }
      async detect() {
        return [{ rawValue: 'wxyz-6789' }]
      }
    }
    Object.defineProperty(globalThis.navigator, 'mediaDevices', {
      configurable: true,
      value: {
        getUserMedia: vi.fn(async () => {
          const stream = new window.MediaStream()
          stream.getTracks = () => [{ stop: stopTrack }]
          return stream
        }),
      },
    })
    window.HTMLMediaElement.prototype.play = vi.fn(async () => {})
    const w = mountPortal(ActivityDeskView, { props: { id: '7' } })
    await flushPromises()
    await w.find('[data-test=scan]').trigger('click')
    await flushPromises()
    await vi.waitFor(() => expect(activities.checkIn).toHaveBeenCalledWith('7', 'WXYZ6789'))
    await flushPromises()
    expect(w.find('[data-test=checked-in]').text()).toContain('张*')
    expect(globalThis.navigator.mediaDevices.getUserMedia).toHaveBeenCalledWith(expect.objectContaining({ video: expect.any(Object) }))
    await w.find('[data-test=scan-stop]').trigger('click')
    expect(stopTrack).toHaveBeenCalled()
    expect(w.find('[data-test=scan]').exists()).toBe(true)
  })
})
