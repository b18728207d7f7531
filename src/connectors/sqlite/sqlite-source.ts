import type Database from 'better-sqlite3'
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
import type { SqlWatermark } from '../../data/sql/sql-watermark.js'
import {
  nextWatermark,
  planIncrementalRead,
  rowWatermark,
} from '../../data/sql/incremental-read.js'

type Param = null | number | bigint | string

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
    const params: Param[] = []
    const plan = planIncrementalRead({
      schema,
      options: this.options,
      primaryKey: this.cachedPk,
      since: ctx.since,
      base: this.baseSql(schema),
      quote: quoteSqliteIdent,
      bind: (text, column) => {
        params.push(param(text, column.type))
        return '?'
      },
      log: (t) => ctx.log(t),
    })
    this.since = plan.since
    return { sql: plan.sql, params, keys: plan.keys }
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
      this.last = rowWatermark(rows[rows.length - 1], colIdx, keyIdx) ?? this.last
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
    return nextWatermark(this.last, this.since, this.options.incremental?.lookback !== undefined)
  }

  async close(): Promise<void> {
    await this.conn.close()
  }
}
