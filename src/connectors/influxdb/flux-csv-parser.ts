import { SluiceError } from '../../core/sluice-error.js'
import type { Column, ColumnType, Value } from '../../data/column-type.js'
import { influxTimeToTimestamptz } from './influxdb-time.js'

/** One table of a Flux annotated-CSV response: its columns (without `result`, `table`). */
export interface FluxTable {
  readonly columns: readonly Column[]
  /** Flux datatype of each column (`long`, `dateTime:RFC3339`, …). */
  readonly datatypes: readonly string[]
}

export interface FluxRow {
  readonly table: FluxTable
  readonly values: readonly Value[]
}

const SKIPPED = new Set(['result', 'table'])

/** The sluice type of a Flux annotated-CSV datatype. */
export function fluxColumnType(datatype: string): ColumnType {
  if (datatype === 'long' || datatype === 'unsignedLong') return { kind: 'int64' }
  if (datatype === 'double') return { kind: 'float64' }
  if (datatype === 'boolean') return { kind: 'boolean' }
  if (datatype.startsWith('dateTime')) return { kind: 'timestamptz' }
  if (datatype === 'base64Binary') return { kind: 'binary' }
  return { kind: 'string' }
}

function convert(text: string, datatype: string): Value {
  switch (datatype) {
    case 'long':
    case 'unsignedLong':
      return BigInt(text)
    case 'double':
      return text === '+Inf' || text === 'Inf'
        ? Infinity
        : text === '-Inf'
          ? -Infinity
          : Number(text)
    case 'boolean':
      return text === 'true'
    case 'base64Binary':
      return new Uint8Array(Buffer.from(text, 'base64'))
    default:
      if (datatype.startsWith('dateTime')) return influxTimeToTimestamptz(text) ?? text
      return text
  }
}

/**
 * Parses the annotated CSV of a Flux query (`#datatype`, `#group`, `#default` annotations, a
 * header row, data rows; a blank line or new annotations start another table) incrementally:
 * `push` text chunks as they arrive, `end` at the end; each returns the rows completed so far.
 * Quoted fields may hold commas, quotes (`""`) and newlines. An error table (`error,reference`)
 * throws E_INFLUX_QUERY.
 */
export class FluxCsvParser {
  private buf = ''
  private datatypes: string[] | undefined
  private defaults: string[] | undefined
  private header: string[] | undefined
  private table: FluxTable | undefined
  private keep: number[] = []

  push(chunk: string): FluxRow[] {
    this.buf += chunk
    return this.drain(false)
  }

  end(): FluxRow[] {
    const rows = this.drain(true)
    this.buf = ''
    return rows
  }

  private drain(final: boolean): FluxRow[] {
    const out: FluxRow[] = []
    const s = this.buf
    let pos = 0
    for (;;) {
      const rec = this.record(s, pos, final)
      if (rec === undefined) break
      pos = rec.next
      this.onRecord(rec.fields, out)
    }
    this.buf = s.slice(pos)
    return out
  }

  /** The CSV record at `pos`, or undefined when it is not complete yet. */
  private record(
    s: string,
    pos: number,
    final: boolean,
  ): { fields: string[]; next: number } | undefined {
    if (pos >= s.length) return undefined
    const fields: string[] = []
    let i = pos
    let field = ''
    for (;;) {
      if (i >= s.length) {
        if (!final) return undefined
        fields.push(field)
        return { fields, next: i }
      }
      const c = s[i]
      if (c === '"' && field === '') {
        // quoted field
        let j = i + 1
        let val = ''
        for (;;) {
          const q = s.indexOf('"', j)
          if (q < 0)
            return final ? { fields: [...fields, val + s.slice(j)], next: s.length } : undefined
          if (s[q + 1] === '"') {
            val += s.slice(j, q + 1)
            j = q + 2
            continue
          }
          if (q + 1 >= s.length && !final) return undefined
          val += s.slice(j, q)
          i = q + 1
          break
        }
        field = val
        continue
      }
      if (c === ',') {
        fields.push(field)
        field = ''
        i++
        continue
      }
      if (c === '\n' || c === '\r') {
        fields.push(field)
        let next = i + 1
        if (c === '\r') {
          if (next >= s.length && !final) return undefined
          if (s[next] === '\n') next++
        }
        return { fields, next }
      }
      const stop = s.slice(i).search(/[,\r\n]/)
      if (stop < 0) {
        field += s.slice(i)
        i = s.length
      } else {
        field += s.slice(i, i + stop)
        i += stop
      }
    }
  }

  private onRecord(fields: string[], out: FluxRow[]): void {
    if (fields.length === 1 && fields[0] === '') {
      // blank line: the next table repeats its annotations and header
      this.header = undefined
      this.table = undefined
      return
    }
    const first = fields[0]!
    if (first.startsWith('#')) {
      if (this.header) {
        this.header = undefined
        this.table = undefined
      }
      if (first === '#datatype') this.datatypes = fields
      else if (first === '#default') this.defaults = fields
      return
    }
    if (!this.header) {
      this.header = fields
      if (fields.includes('error') && fields.includes('reference')) this.table = undefined
      const keep: number[] = []
      const columns: Column[] = []
      const datatypes: string[] = []
      for (let i = 1; i < fields.length; i++) {
        if (SKIPPED.has(fields[i]!)) continue
        const dt = this.datatypes?.[i] ?? 'string'
        keep.push(i)
        datatypes.push(dt)
        columns.push({ name: fields[i]!, type: fluxColumnType(dt), nullable: true })
      }
      this.keep = keep
      this.table = { columns, datatypes }
      return
    }
    const header = this.header
    if (header.length === 3 && header[1] === 'error' && header[2] === 'reference')
      throw new SluiceError(
        'E_INFLUX_QUERY',
        `Flux query failed: ${fields[1] ?? ''}${fields[2] ? ` (reference ${fields[2]})` : ''}`,
      )
    const table = this.table!
    const values: Value[] = new Array<Value>(this.keep.length)
    for (let k = 0; k < this.keep.length; k++) {
      const i = this.keep[k]!
      let text = fields[i] ?? ''
      if (text === '') text = this.defaults?.[i] ?? ''
      values[k] = text === '' ? null : convert(text, table.datatypes[k]!)
    }
    out.push({ table, values })
  }
}
