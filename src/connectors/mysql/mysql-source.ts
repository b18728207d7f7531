import type { PoolConnection } from 'mysql2'
import type { Readable } from 'node:stream'
import { SluiceError } from '../../core/sluice-error.js'
import type { Column, TableSchema, Value } from '../../data/column-type.js'
import type { ConnectionConfig, ReadContext, Source } from '../../data/connector-contract.js'
import type { RowBatch } from '../../data/row-batch.js'
import { MysqlConnection } from './mysql-connection.js'
import { mysqlError } from './mysql-error.js'
import { sqlSourceOptions, type SqlSourceOptions } from '../../data/sql/sql-source-options.js'
import { mysqlTableName } from './mysql-table-name.js'
import { mysqlTypes } from './mysql-types.js'
import { mysqlValues } from './mysql-values.js'
import type { SqlWatermark } from '../../data/sql/sql-watermark.js'
import {
  nextWatermark,
  planIncrementalRead,
  rowWatermark,
} from '../../data/sql/incremental-read.js'
import { quoteMysqlIdent } from './quote-mysql-ident.js'
import { readMysqlTable } from './read-mysql-table.js'

/**
 * Reads a table or a query as one streamed result (mysql2 `query().stream()`, paused while the
 * consumer is busy), `batch_size` rows per batch.
 *
 * Incremental reads order by (column, keys) and resume strictly after the committed
 * (column, keys) pair, so rows sharing a timestamp are neither lost nor read twice; the keys are
 * `keys:` or the table's primary key. With `lookback`, rows with `column >= watermark - lookback`
 * are read again to catch late rows, and a `merge` load on the same keys absorbs the duplicates.
 * Without any key the read is `column >= watermark` (merge again absorbs re-read rows).
 */
export class MysqlSource implements Source {
  private readonly conn: MysqlConnection
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
    this.conn = new MysqlConnection(conn)
  }

  private baseSql(schema: TableSchema | undefined): string {
    if (this.options.table !== undefined) {
      const cols = schema ? schema.columns.map((c) => quoteMysqlIdent(c.name)).join(', ') : '*'
      return `SELECT ${cols} FROM ${mysqlTableName(this.options.table).sql}`
    }
    return `SELECT * FROM (${this.options.query!.replace(/;\s*$/, '')}) AS _sluice_q`
  }

  private async withConnection<T>(fn: (c: PoolConnection) => Promise<T>): Promise<T> {
    const c = await this.conn.connect()
    try {
      return await fn(c)
    } finally {
      c.release()
    }
  }

  async schema(_ctx?: ReadContext): Promise<TableSchema> {
    if (this.cachedSchema) return this.cachedSchema
    this.cachedSchema = await this.withConnection(async (c) => {
      if (this.options.table !== undefined) {
        const name = mysqlTableName(this.options.table)
        const table = await readMysqlTable(this.conn, c, name)
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
      const { fields } = await this.conn.run(
        c,
        `${this.baseSql(undefined)} LIMIT 0`,
        undefined,
        true,
      )
      const columns: Column[] = (fields ?? []).map((f) => ({
        name: f.name,
        type: mysqlTypes.fromField(f),
        nullable: true,
      }))
      return { columns }
    })
    return this.cachedSchema
  }

  /** The SELECT this read runs, and the tie-breaker keys. */
  async plan(ctx: ReadContext): Promise<{ sql: string; keys: string[] }> {
    const schema = await this.schema(ctx)
    const plan = planIncrementalRead({
      schema,
      options: this.options,
      primaryKey: this.cachedPk,
      since: ctx.since,
      base: this.baseSql(schema),
      quote: quoteMysqlIdent,
      bind: (text, column) => mysqlValues.literal(text, column.type),
      log: (t) => ctx.log(t),
    })
    this.since = plan.since
    return { sql: plan.sql, keys: plan.keys }
  }

  async *read(ctx: ReadContext): AsyncIterable<RowBatch> {
    const { sql, keys } = await this.plan(ctx)
    const schema = await this.schema(ctx)
    const inc = this.options.incremental
    const colIdx = inc ? schema.columns.findIndex((c) => c.name === inc.column) : -1
    const keyIdx = keys.map((k) => schema.columns.findIndex((c) => c.name === k))
    const readers = schema.columns.map((c) => mysqlValues.reader(c.type))
    const width = readers.length
    const batchRows = this.options.batch_size ?? ctx.batchRows
    const c = await this.conn.connect()
    let done = false
    let stream: Readable | undefined
    try {
      stream = c
        .query({ sql, rowsAsArray: true })
        .stream({ highWaterMark: Math.min(batchRows, 2000) })
      let rows: Value[][] = []
      const flush = (): RowBatch => {
        this.last = rowWatermark(rows[rows.length - 1], colIdx, keyIdx) ?? this.last
        const batch = { schema, rows }
        rows = []
        return batch
      }
      for await (const raw of stream as AsyncIterable<unknown[]>) {
        const row = new Array<Value>(width)
        for (let i = 0; i < width; i++) row[i] = readers[i]!(raw[i])
        rows.push(row)
        if (rows.length >= batchRows) {
          if (ctx.signal.aborted) throw new SluiceError('E_CANCELLED', 'read cancelled')
          yield flush()
        }
      }
      if (rows.length > 0) yield flush()
      done = true
    } catch (e) {
      throw mysqlError(e, this.conn.mask, `read from ${this.conn.name} failed`)
    } finally {
      if (done) c.release()
      else {
        // a result still in flight: the connection cannot be reused
        stream?.destroy()
        c.destroy()
      }
    }
  }

  watermark(): SqlWatermark | undefined {
    return nextWatermark(this.last, this.since, this.options.incremental?.lookback !== undefined)
  }

  async close(): Promise<void> {
    await this.conn.close()
  }
}
