import { describe, expect, it } from 'vitest'
import { toCsv, toSheetData } from '../exporters.js'

const columns = [
  { key: 'name', label: '名称' },
  { key: 'seats', label: '座位' },
]

describe('table export', () => {
  it('writes CSV with a BOM, quoting and CRLF', () => {
    const csv = toCsv([{ name: '角楼图书馆, "书香"', seats: 40 }], columns)
    expect(csv.startsWith('\uFEFF名称,座位\r\n')).toBe(true)
    expect(csv).toContain('"角楼图书馆, ""书香""",40\r\n')
  })
  it('keeps formula-looking text as text', () => {
    expect(toCsv([{ name: '=HYPERLINK("x")', seats: -3 }], columns)).toContain(`"'=HYPERLINK(""x"")",-3`)
  })
  it('types spreadsheet cells', () => {
    const [header, row] = toSheetData([{ name: '史家胡同博物馆', seats: 60 }], columns)
    expect(header[0]).toMatchObject({ value: '名称', fontWeight: 'bold' })
    expect(row[1]).toEqual({ type: Number, value: 60 })
    expect(row[0]).toEqual({ type: String, value: '史家胡同博物馆' })
  })
})
