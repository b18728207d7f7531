import type { PoolConnection } from 'mysql2'
import type { Readable } from 'node:stream'
import { parseDuration } from '../../core/duration.js'
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
import { sqlWatermark, type SqlWatermark } from '../../data/sql/sql-watermark.js'
import { quoteMysqlIdent } from './quote-mysql-ident.js'
import { readMysqlTable } from './read-mysql-table.js'

function asText(v: Value | undefined): string | null {
  if (v === null || v === undefined) return null
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex')
  if (typeof v === 'boolean') return v ? '1' : '0'
  // timestamps travel as 'YYYY-MM-DDTHH:MM:SS…' like every other sluice value
  return String(v)
}

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
    const base = this.baseSql(schema)
    const inc = this.options.incremental
    if (!inc) return { sql: base, keys: [] }
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
    const col = quoteMysqlIdent(inc.column)
    const since = sqlWatermark.parse(ctx.since)
    this.since = since
    const lit = (text: string, name: string): string =>
      mysqlValues.literal(text, byName.get(name)!.type)
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
        where = `${col} >= ${lit(from, inc.column)}`
      } else if (since.key && keys.length > 0 && since.key.length === keys.length) {
        const left = [col, ...keys.map(quoteMysqlIdent)].join(', ')
        const right = [lit(since.value, inc.column), ...keys.map((k, i) => lit(since.key![i]!, k))]
        where = `(${left}) > (${right.join(', ')})`
      } else if (uniqueColumn) {
        where = `${col} > ${lit(since.value, inc.column)}`
      } else {
        if (keys.length === 0)
          ctx.log(
            `incremental on ${inc.column} without a tie-breaker key: reading ${inc.column} >= watermark; use mode merge to absorb re-read rows`,
          )
        where = `${col} >= ${lit(since.value, inc.column)}`
      }
    } else if (inc.initial !== undefined) {
      where = `${col} >= ${lit(String(inc.initial), inc.column)}`
    }
    const order = [col, ...keys.map(quoteMysqlIdent)].join(', ')
    const sql =
      this.options.table !== undefined
        ? `${base}${where ? ` WHERE ${where}` : ''} ORDER BY ${order}`
        : `SELECT * FROM (${base}) AS _sluice_inc${where ? ` WHERE ${where}` : ''} ORDER BY ${order}`
    return { sql, keys }
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
