import { parseDuration } from '../../core/duration.js'
import { SluiceError } from '../../core/sluice-error.js'
import type { Column, TableSchema, Value } from '../column-type.js'
import type { SqlSourceOptions } from './sql-source-options.js'
import { sqlWatermark, type SqlWatermark } from './sql-watermark.js'

/** What planning an incremental SELECT needs from a SQL source (its dialect as functions). */
export interface IncrementalReadInput {
  readonly schema: TableSchema
  readonly options: SqlSourceOptions
  /** The table's primary key (the default tie-breaker). */
  readonly primaryKey: readonly string[]
  /** The committed watermark (`ReadContext.since`). */
  readonly since: unknown
  /** The plain SELECT of the table or query. */
  readonly base: string
  quote(name: string): string
  /** SQL for watermark text compared with `column`: a literal, or a placeholder it binds. */
  bind(text: string, column: Column): string
  log(text: string): void
}

export interface IncrementalReadPlan {
  readonly sql: string
  /** The tie-breaker keys (without the watermark column). */
  readonly keys: string[]
  readonly since: SqlWatermark | undefined
}

/**
 * The SELECT of an incremental read, shared by the MySQL and SQLite sources: ordered by
 * (column, keys), strictly after the committed (column, keys) pair; with `lookback`, `column >=
 * watermark - lookback` (a `merge` load absorbs the re-read rows); `initial` on the first run.
 */
export function planIncrementalRead(i: IncrementalReadInput): IncrementalReadPlan {
  const inc = i.options.incremental
  if (!inc) return { sql: i.base, keys: [], since: undefined }
  const byName = new Map(i.schema.columns.map((c) => [c.name, c]))
  let keys = i.options.keys ? [...i.options.keys] : [...i.primaryKey]
  // the column alone is a unique key (e.g. an id): no tie-breaker needed, `>` is exact
  const uniqueColumn = keys.length === 1 && keys[0] === inc.column
  keys = keys.filter((k) => k !== inc.column)
  for (const k of [inc.column, ...keys])
    if (!byName.has(k))
      throw new SluiceError(
        'E_SCHEMA_VALUE',
        `incremental column ${JSON.stringify(k)} is not in the result (${[...byName.keys()].join(', ')})`,
      )
  const colDef = byName.get(inc.column)!
  const col = i.quote(inc.column)
  const since = sqlWatermark.parse(i.since)
  const bind = (text: string, name: string): string => i.bind(text, byName.get(name)!)
  let where = ''
  const lookbackMs = inc.lookback === undefined ? 0 : (parseDuration(inc.lookback) ?? 0)
  if (since) {
    if (lookbackMs > 0) {
      const kind = colDef.type.kind
      const from =
        kind === 'date' || kind === 'timestamp' || kind === 'timestamptz'
          ? sqlWatermark.minus(since.value, lookbackMs)
          : undefined
      if (from === undefined)
        throw new SluiceError(
          'E_SCHEMA_VALUE',
          `incremental lookback needs a date/timestamp column; ${inc.column} is ${kind}`,
        )
      where = `${col} >= ${bind(from, inc.column)}`
    } else if (since.key && keys.length > 0 && since.key.length === keys.length) {
      const left = [col, ...keys.map((k) => i.quote(k))].join(', ')
      const right = [bind(since.value, inc.column), ...keys.map((k, n) => bind(since.key![n]!, k))]
      where = `(${left}) > (${right.join(', ')})`
    } else if (uniqueColumn) {
      where = `${col} > ${bind(since.value, inc.column)}`
    } else {
      if (keys.length === 0)
        i.log(
          `incremental on ${inc.column} without a tie-breaker key: reading ${inc.column} >= watermark; use mode merge to absorb re-read rows`,
        )
      where = `${col} >= ${bind(since.value, inc.column)}`
    }
  } else if (inc.initial !== undefined) {
    where = `${col} >= ${bind(String(inc.initial), inc.column)}`
  }
  const order = [col, ...keys.map((k) => i.quote(k))].join(', ')
  const sql =
    i.options.table !== undefined
      ? `${i.base}${where ? ` WHERE ${where}` : ''} ORDER BY ${order}`
      : `SELECT * FROM (${i.base}) AS _sluice_inc${where ? ` WHERE ${where}` : ''} ORDER BY ${order}`
  return { sql, keys, since }
}

/** The watermark of a row: its column's value and its keys' values, as text. */
export function rowWatermark(
  row: readonly Value[] | undefined,
  column: number,
  keys: readonly number[],
): SqlWatermark | undefined {
  if (!row || column < 0) return undefined
  const value = asText(row[column])
  if (value === null) return undefined
  return keys.length > 0 ? { value, key: keys.map((k) => asText(row[k]) ?? '') } : { value }
}

/**
 * The watermark to commit after a read: the last row's, but never below the committed one (a
 * lookback re-read may end before it).
 */
export function nextWatermark(
  last: SqlWatermark | undefined,
  since: SqlWatermark | undefined,
  lookback: boolean,
): SqlWatermark | undefined {
  if (!last) return since
  if (since && lookback) {
    const norm = (t: string): string => t.replace(' ', 'T')
    if (norm(last.value) < norm(since.value)) return since
  }
  return last
}

function asText(v: Value | undefined): string | null {
  if (v === null || v === undefined) return null
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex')
  if (typeof v === 'boolean') return v ? '1' : '0'
  return String(v)
}
