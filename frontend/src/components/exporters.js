// Table exports. CSV per RFC 4180 with a UTF-8 BOM; XLSX through write-excel-file, imported only
// when someone asks for one (it stays out of every page's first load).

function cell(value) {
  if (value === null || value === undefined) return ''
  return typeof value === 'object' ? JSON.stringify(value) : value
}

export function toCsv(rows, columns) {
  const esc = (v) => {
    let s = String(cell(v))
    // A cell that a spreadsheet would run as a formula is kept as text.
    if (/^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = `'${s}`
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s
  }
  const lines = [columns.map((c) => esc(c.label)).join(',')]
  for (const row of rows) lines.push(columns.map((c) => esc(row[c.key])).join(','))
  return '\uFEFF' + lines.join('\r\n') + '\r\n'
}

export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}

export function downloadCsv(rows, columns, filename) {
  saveBlob(new Blob([toCsv(rows, columns)], { type: 'text/csv;charset=utf-8' }), `${filename}.csv`)
}

export function toSheetData(rows, columns) {
  const header = columns.map((c) => ({ value: c.label, fontWeight: 'bold' }))
  const body = rows.map((row) =>
    columns.map((c) => {
      const v = cell(row[c.key])
      if (typeof v === 'number') return { type: Number, value: v }
      if (typeof v === 'boolean') return { type: Boolean, value: v }
      return { type: String, value: String(v) }
    }),
  )
  return [header, ...body]
}

export async function downloadXlsx(rows, columns, filename) {
  const { default: writeXlsxFile } = await import('write-excel-file/browser')
  const blob = await writeXlsxFile(toSheetData(rows, columns), {
    columns: columns.map((c) => ({ width: Math.min(40, Math.max(10, String(c.label).length * 2 + 4)) })),
  }).toBlob()
  saveBlob(blob, `${filename}.xlsx`)
}
