import type { Value } from '../../data/column-type.js'

const SPECIAL = /[\\\n\r\t]/

function escape(text: string): string {
  if (!SPECIAL.test(text)) return text
  let out = ''
  for (const ch of text) {
    if (ch === '\\') out += '\\\\'
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else out += ch
  }
  return out
}

function field(v: Value | undefined): string {
  if (v === null || v === undefined) return '\\N'
  switch (typeof v) {
    case 'string':
      return escape(v)
    case 'boolean':
      return v ? 't' : 'f'
    case 'bigint':
      return v.toString()
    case 'number':
      return Number.isNaN(v) ? 'NaN' : String(v)
    default:
      break
  }
  if (v instanceof Uint8Array)
    return `\\\\x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}`
  const other: unknown = v
  if (other instanceof Date) return other.toISOString()
  return escape(JSON.stringify(other))
}

/**
 * One row in COPY text format: tab-separated, `\N` for NULL (so '' stays ''), backslash, newline,
 * carriage return and tab escaped, bytea as `\\x<hex>` (the backslash itself escaped), terminated
 * by a newline. Any other character (unicode, emoji, quotes) is sent as is.
 */
export function copyTextLine(row: readonly Value[]): string {
  let line = ''
  for (let i = 0; i < row.length; i++) line += (i === 0 ? '' : '\t') + field(row[i])
  return `${line}\n`
}
