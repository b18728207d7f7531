import type Database from 'better-sqlite3'
import { parseDuration } from '../../core/duration.js'
import { SluiceError } from '../../core/sluice-error.js'
import type { Column, ColumnType, TableSchema, Value } from '../../data/column-type.js'
import type { ConnectionConfig, ReadContext, Source } from '../../data/connector-contract.js'
import type { RowBatch } from '../../data/row-batch.js'
import { quoteSqliteIdent } from './quote-sqlite-ident.js'
import { readSqliteTable } from './read-sqlite-table.js'
import { SqliteConnection } from './sqlite-connection.js'
import { sqliteError } from './sqlite-error.js'
import { sqlSourceOptions, type SqlSourceOptions } from '../../data/sql/sql-source-options.js'
import { sqliteTableName } from './sqlite-table-name.js'
import { sqliteTypes } from './sqlite-types.js'
import { sqliteValues } from './sqlite-values.js'
import { sqlWatermark, type SqlWatermark } from '../../data/sql/sql-watermark.js'

type Param = null | number | bigint | string

function asText(v: Value | undefined): string | null {
  if (v === null || v === undefined) return null
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex')
  if (typeof v === 'boolean') return v ? '1' : '0'
  return String(v)
}

/** A watermark's text as a parameter compared with a column of type `t`. */
function param(text: string, t: ColumnType): Param {
  switch (t.kind) {
    case 'boolean':
    case 'int32':
    case 'int64':
      return /^-?\d+$/.test(text) ? BigInt(text) : text
    case 'float64':
      return Number.isFinite(Number(text)) ? Number(text) : text
    default:
      return text
  }
}

/**
 * Reads a table or a query with better-sqlite3's `.iterate()` (INTEGER as bigint), `batch_size`
 * rows per batch. Incremental reads work as in the other SQL connectors: ordered by
 * (column, keys), resuming strictly after the committed (column, keys) pair; with `lookback`,
 * `column >= watermark - lookback` (a `merge` load absorbs the re-read rows).
 */
export class SqliteSource implements Source {
  private readonly conn: SqliteConnection
  private readonly options: SqlSourceOptions
  private cachedSchema: TableSchema | undefined
  private cachedPk: string[] = []
  private since: SqlWatermark | undefined
  private last: SqlWatermark | undefined

  constructor(conn: ConnectionConfig, options: Readonly<Record<string, unknown>>) {
    const parsed = sqlSourceOptions.safeParse(options)
    if (!parsed.success)
      throw new SluiceError(
        'E_SCHEMA_VALUE',
        `source on ${conn.name}: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
      )
    this.options = parsed.data
    this.conn = new SqliteConnection(conn)
  }

  private baseSql(schema: TableSchema | undefined): string {
    if (this.options.table !== undefined) {
      const cols = schema ? schema.columns.map((c) => quoteSqliteIdent(c.name)).join(', ') : '*'
      return `SELECT ${cols} FROM ${sqliteTableName(this.options.table).sql}`
    }
    return `SELECT * FROM (${this.options.query!.replace(/;\s*$/, '')}) AS _sluice_q`
  }

  async schema(_ctx?: ReadContext): Promise<TableSchema> {
    if (this.cachedSchema) return this.cachedSchema
    const db = await this.conn.db()
    try {
      this.cachedSchema = this.describe(db)
    } catch (e) {
      throw sqliteError(e, this.conn.mask, `describe ${this.conn.name} source failed`)
    }
    return this.cachedSchema
  }

  private describe(db: Database.Database): TableSchema {
    if (this.options.table !== undefined) {
      const name = sqliteTableName(this.options.table)
      const table = readSqliteTable(db, name)
      if (!table)
        throw new SluiceError(
          'E_TASK_FAILED',
          `table ${name.sql} does not exist on ${this.conn.name}`,
          {
            retryable: false,
          },
        )
      this.cachedPk = [...table.primaryKey]
      return { columns: table.columns }
    }
    const sql = this.baseSql(undefined)
    const cols = db.prepare(sql).columns()
    let sample: unknown[][] | undefined
    const columns: Column[] = cols.map((c, i) => {
      if (c.type) return { name: c.name, type: sqliteTypes.fromDeclared(c.type), nullable: true }
      sample ??= db.prepare(`${sql} LIMIT 100`).safeIntegers(true).raw(true).all() as unknown[][]
      return { name: c.name, type: sqliteTypes.fromValues(sample.map((r) => r[i])), nullable: true }
    })
    return { columns }
  }

  /** The SELECT this read runs, its parameters and the tie-breaker keys. */
  async plan(ctx: ReadContext): Promise<{ sql: string; params: Param[]; keys: string[] }> {
    const schema = await this.schema(ctx)
    const base = this.baseSql(schema)
    const inc = this.options.incremental
    if (!inc) return { sql: base, params: [], keys: [] }
    const byName = new Map(schema.columns.map((c) => [c.name, c]))
    let keys = this.options.keys ? [...this.options.keys] : [...this.cachedPk]
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
    const col = quoteSqliteIdent(inc.column)
    const since = sqlWatermark.parse(ctx.since)
    this.since = since
    const params: Param[] = []
    const p = (text: string, name: string): string => {
      params.push(param(text, byName.get(name)!.type))
      return '?'
    }
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
        where = `${col} >= ${p(from, inc.column)}`
      } else if (since.key && keys.length > 0 && since.key.length === keys.length) {
        const left = [col, ...keys.map(quoteSqliteIdent)].join(', ')
        const right = [p(since.value, inc.column), ...keys.map((k, i) => p(since.key![i]!, k))]
        where = `(${left}) > (${right.join(', ')})`
      } else if (uniqueColumn) {
        where = `${col} > ${p(since.value, inc.column)}`
      } else {
        if (keys.length === 0)
          ctx.log(
            `incremental on ${inc.column} without a tie-breaker key: reading ${inc.column} >= watermark; use mode merge to absorb re-read rows`,
          )
        where = `${col} >= ${p(since.value, inc.column)}`
      }
    } else if (inc.initial !== undefined) {
      where = `${col} >= ${p(String(inc.initial), inc.column)}`
    }
    const order = [col, ...keys.map(quoteSqliteIdent)].join(', ')
    const sql =
      this.options.table !== undefined
        ? `${base}${where ? ` WHERE ${where}` : ''} ORDER BY ${order}`
        : `SELECT * FROM (${base}) AS _sluice_inc${where ? ` WHERE ${where}` : ''} ORDER BY ${order}`
    return { sql, params, keys }
  }

  async *read(ctx: ReadContext): AsyncIterable<RowBatch> {
    const { sql, params, keys } = await this.plan(ctx)
    const schema = await this.schema(ctx)
    const db = await this.conn.db()
    const inc = this.options.incremental
    const colIdx = inc ? schema.columns.findIndex((c) => c.name === inc.column) : -1
    const keyIdx = keys.map((k) => schema.columns.findIndex((c) => c.name === k))
    const readers = schema.columns.map((c) => sqliteValues(c.type))
    const width = readers.length
    const batchRows = this.options.batch_size ?? ctx.batchRows
    let rows: Value[][] = []
    const flush = (): RowBatch => {
      const lastRow = rows[rows.length - 1]
      if (colIdx >= 0 && lastRow) {
        const value = asText(lastRow[colIdx])
        if (value !== null)
          this.last = {
            value,
            ...(keys.length > 0 ? { key: keyIdx.map((i) => asText(lastRow[i]) ?? '') } : {}),
          }
      }
      const batch = { schema, rows }
      rows = []
      return batch
    }
    try {
      const stmt = db.prepare(sql).safeIntegers(true).raw(true)
      for (const raw of stmt.iterate(...params) as IterableIterator<unknown[]>) {
        const row = new Array<Value>(width)
        for (let i = 0; i < width; i++) row[i] = readers[i]!(raw[i])
        rows.push(row)
        if (rows.length >= batchRows) {
          if (ctx.signal.aborted) throw new SluiceError('E_CANCELLED', 'read cancelled')
          yield flush()
        }
      }
      if (rows.length > 0) yield flush()
    } catch (e) {
      throw sqliteError(e, this.conn.mask, `read from ${this.conn.name} failed`)
    }
  }

  watermark(): SqlWatermark | undefined {
    const last = this.last
    const since = this.since
    if (!last) return since
    // a lookback re-read may end below the committed watermark: never move it backwards
    if (since && this.options.incremental?.lookback !== undefined) {
      const norm = (t: string): string => t.replace(' ', 'T')
      if (norm(last.value) < norm(since.value)) return since
    }
    return last
  }

  async close(): Promise<void> {
    await this.conn.close()
  }
}
