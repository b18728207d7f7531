import { influxqlString } from './influxdb-watermark.js'

/** Clauses that end a WHERE condition in an InfluxQL SELECT. */
const AFTER_WHERE = /\b(GROUP\s+BY|ORDER\s+BY|LIMIT|OFFSET|SLIMIT|SOFFSET|fill\s*\(|tz\s*\()/i

/** `text` with its quoted parts ('…', "…") blanked out, same length, for keyword search. */
function blankQuoted(text: string): string {
  return text.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, (s) => ' '.repeat(s.length))
}

/**
 * Adds `time > '<since>'` (a number: epoch nanoseconds) to one InfluxQL SELECT: `WHERE time > '…' AND (<old condition>)` when
 * it has a WHERE clause, else `WHERE time > '…'` before GROUP BY / ORDER BY / LIMIT / OFFSET /
 * SLIMIT / SOFFSET / fill() / tz() or at the end (a trailing `;` is dropped). Keywords inside
 * quoted strings and identifiers are ignored.
 */
export function addTimeCondition(query: string, since: string | number, column = 'time'): string {
  const q = query.trim().replace(/;\s*$/, '')
  const literal = typeof since === 'number' ? String(since) : influxqlString(since)
  const cond = `${column === 'time' ? 'time' : `"${column}"`} > ${literal}`
  const plain = blankQuoted(q)
  const where = /\bWHERE\b/i.exec(plain)
  if (where) {
    const start = where.index + where[0].length
    const rest = AFTER_WHERE.exec(plain.slice(start))
    const end = rest ? start + rest.index : q.length
    const old = q.slice(start, end).trim()
    return `${q.slice(0, where.index)}WHERE ${cond} AND (${old})${end < q.length ? ` ${q.slice(end)}` : ''}`
  }
  const from = /\bFROM\b/i.exec(plain)
  const tail = AFTER_WHERE.exec(from ? plain.slice(from.index) : plain)
  if (!tail) return `${q} WHERE ${cond}`
  const at = (from ? from.index : 0) + tail.index
  return `${q.slice(0, at).trimEnd()} WHERE ${cond} ${q.slice(at)}`
}
