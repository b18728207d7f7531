import { SluiceError } from '../../core/sluice-error.js'
import type { InfluxdbDestinationSpec } from '../../core/spec/influxdb-io-schema.js'
import type { ColumnType, TableSchema, Value } from '../../data/column-type.js'
import { InfluxTimeEncoder } from './influxdb-time.js'
import { lineProtocol } from './line-protocol.js'

type FieldFormat = (v: Value) => string | undefined

const DEFAULT_CARDINALITY_WARN = 10_000

function text(v: Value): string {
  if (typeof v === 'string') return v
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64')
  return String(v)
}

/** How a column of type `t` is written as a field value; undefined = cannot (NaN, ±Infinity). */
function fieldFormat(t: ColumnType): FieldFormat {
  switch (t.kind) {
    case 'int32':
    case 'int64':
      return (v) =>
        typeof v === 'number' || typeof v === 'bigint' ? `${v}i` : lineProtocol.stringField(text(v))
    case 'float64':
      return (v) =>
        typeof v === 'number'
          ? Number.isFinite(v)
            ? String(v)
            : undefined
          : lineProtocol.stringField(text(v))
    case 'boolean':
      return (v) => (v === true ? 't' : v === false ? 'f' : lineProtocol.stringField(text(v)))
    default:
      return (v) => lineProtocol.stringField(text(v))
  }
}

interface FieldPlan {
  readonly index: number
  /** `key=` escaped. */
  readonly prefix: string
  readonly format: FieldFormat
}

interface TagPlan {
  readonly index: number
  readonly key: string
  /** `,key=` escaped. */
  readonly prefix: string
  /** Distinct values seen → `,key=value` escaped (dropped past the cardinality bound). */
  values: Map<string, string> | undefined
}

/**
 * Turns rows of one schema into line-protocol lines (`measurement,tags fields time`) following
 * `destination.influxdb` (see docs/connectors/influxdb.md for the mapping). NULL fields are left
 * out; a row with no field left, or without a measurement, is skipped with a reason in
 * `skipReason`. It counts NaN/±Infinity fields it had to leave out, and warns once per tag key
 * whose distinct values pass `tag_cardinality_warn`.
 */
export class PointEncoder {
  readonly timeColumn: string | undefined
  /** Why the last `encode` returned undefined. */
  skipReason = ''
  /** Fields left out because they were NaN or ±Infinity. */
  nonFinite = 0
  private readonly measurement: string | undefined
  private readonly measurementIndex: number
  private readonly measurementCache = new Map<Value, string>()
  private readonly tags: TagPlan[]
  private readonly fields: FieldPlan[]
  private readonly timeIndex: number
  private readonly time: InfluxTimeEncoder
  private readonly cardinalityWarn: number

  constructor(
    readonly schema: TableSchema,
    spec: InfluxdbDestinationSpec,
    private readonly log: (text: string) => void,
  ) {
    const names = schema.columns.map((c) => c.name)
    const indexOf = (name: string, role: string): number => {
      const i = names.indexOf(name)
      if (i < 0)
        throw new SluiceError(
          'E_SCHEMA_VALUE',
          `influxdb ${role} column ${JSON.stringify(name)} is not an incoming column (${names.join(', ')})`,
        )
      return i
    }
    if (spec.measurement === undefined && spec.measurement_column === undefined)
      throw new SluiceError(
        'E_SCHEMA_REQUIRED',
        'destination.influxdb needs measurement or measurement_column',
        {
          hint: 'add measurement: cpu (or measurement_column: name) under destination.influxdb',
        },
      )
    if (spec.measurement !== undefined && spec.measurement_column !== undefined)
      throw new SluiceError(
        'E_SCHEMA_VALUE',
        'destination.influxdb: give measurement or measurement_column, not both',
      )
    this.measurement =
      spec.measurement === undefined ? undefined : lineProtocol.measurement(spec.measurement)
    this.measurementIndex =
      spec.measurement_column === undefined ? -1 : indexOf(spec.measurement_column, 'measurement')
    this.timeColumn = spec.time ?? (names.includes('time') ? 'time' : undefined)
    this.timeIndex = this.timeColumn === undefined ? -1 : indexOf(this.timeColumn, 'time')
    this.time = new InfluxTimeEncoder(spec.precision ?? 'ns')
    this.cardinalityWarn = spec.tag_cardinality_warn ?? DEFAULT_CARDINALITY_WARN
    const tagNames = spec.tags ?? []
    for (const t of tagNames)
      if (t === 'time')
        throw new SluiceError('E_SCHEMA_VALUE', 'InfluxDB cannot store a tag named "time"', {
          hint: 'rename the column in an upstream step',
        })
    this.tags = [...tagNames].sort().map((key) => ({
      index: indexOf(key, 'tag'),
      key,
      prefix: `,${lineProtocol.key(key)}=`,
      values: new Map<string, string>(),
    }))
    const used = new Set([...tagNames, spec.measurement_column, this.timeColumn])
    const fieldNames = spec.fields ?? names.filter((n) => !used.has(n))
    if (fieldNames.length === 0)
      throw new SluiceError(
        'E_SCHEMA_VALUE',
        'destination.influxdb: no column is left to write as a field',
        {
          hint: 'list fields: [...] or keep at least one column that is not a tag, measurement or time',
        },
      )
    this.fields = fieldNames.map((key) => {
      if (key === 'time')
        throw new SluiceError('E_SCHEMA_VALUE', 'InfluxDB cannot store a field named "time"', {
          hint: 'use it as time: time, or rename the column in an upstream step',
        })
      const index = indexOf(key, 'field')
      return {
        index,
        prefix: `${lineProtocol.key(key)}=`,
        format: fieldFormat(schema.columns[index]!.type),
      }
    })
  }

  /** The line of one row, or undefined (see `skipReason`). */
  encode(row: readonly Value[]): string | undefined {
    let line: string
    if (this.measurement !== undefined) line = this.measurement
    else {
      const m = row[this.measurementIndex] ?? null
      if (m === null || m === '') {
        this.skipReason = 'measurement column is NULL or empty'
        return undefined
      }
      let esc = this.measurementCache.get(m)
      if (esc === undefined) {
        esc = lineProtocol.measurement(text(m))
        if (this.measurementCache.size < 1000) this.measurementCache.set(m, esc)
      }
      line = esc
    }
    const tags = this.tags
    for (let i = 0; i < tags.length; i++) {
      const t = tags[i]!
      const v = row[t.index] ?? null
      if (v === null) continue
      const s = typeof v === 'string' ? v : text(v)
      if (s === '') continue
      const seen = t.values
      if (seen === undefined) {
        line += t.prefix + lineProtocol.key(s)
        continue
      }
      let part = seen.get(s)
      if (part === undefined) {
        part = t.prefix + lineProtocol.key(s)
        seen.set(s, part)
        if (seen.size > this.cardinalityWarn) this.warnCardinality(t)
      }
      line += part
    }
    let sep = ' '
    const fields = this.fields
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!
      const v = row[f.index] ?? null
      if (v === null) continue
      const out = f.format(v)
      if (out === undefined) {
        if (this.nonFinite++ === 0)
          this.log(
            `influxdb: NaN or Infinity cannot be written; leaving such fields out (first: ${f.prefix.slice(0, -1)})`,
          )
        continue
      }
      line += sep + f.prefix + out
      sep = ','
    }
    if (sep === ' ') {
      this.skipReason = 'no field to write (all fields NULL, NaN or Infinity)'
      return undefined
    }
    if (this.timeIndex >= 0) {
      const v = row[this.timeIndex] ?? null
      if (v !== null) {
        const ts = this.time.encode(v)
        if (ts === undefined) {
          this.skipReason = `time value ${JSON.stringify(text(v))} is not a time`
          return undefined
        }
        line += ' ' + ts
      }
    }
    return line
  }

  private warnCardinality(t: TagPlan): void {
    this.log(
      `influxdb: tag ${JSON.stringify(t.key)} has more than ${this.cardinalityWarn} distinct values in this load; high series cardinality slows InfluxDB down (write it as a field instead?)`,
    )
    t.values = undefined
  }
}
