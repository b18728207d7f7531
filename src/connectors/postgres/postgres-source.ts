import type pg from 'pg'
import { parseDuration } from '../../core/duration.js'
import { SluiceError } from '../../core/sluice-error.js'
import type { Column, TableSchema, Value } from '../../data/column-type.js'
import type { ConnectionConfig, ReadContext, Source } from '../../data/connector-contract.js'
import type { RowBatch } from '../../data/row-batch.js'
import { PostgresConnection } from './postgres-connection.js'
import { postgresError } from './postgres-error.js'
import { sqlSourceOptions, type SqlSourceOptions } from '../../data/sql/sql-source-options.js'
import { postgresTypes } from './postgres-types.js'
import { quoteIdent } from './quote-ident.js'
import { quoteQualified } from './quote-qualified.js'
import { sqlWatermark, type SqlWatermark } from '../../data/sql/sql-watermark.js'

/** The watermark an incremental read commits (the shape every SQL connector shares). */
export type PostgresWatermark = SqlWatermark

const TIME_OIDS: Readonly<Record<number, string>> = {
  1082: 'date',
  1114: 'timestamp',
  1184: 'timestamptz',
}

function asText(v: Value | undefined): string | null {
  if (v === null || v === undefined) return null
  if (v instanceof Uint8Array) return `\\x${Buffer.from(v).toString('hex')}`
  return String(v)
}

/**
 * Reads a table or a query through a server-side cursor (DECLARE … CURSOR + FETCH n in a
 * read-only REPEATABLE READ transaction), `batchRows` rows per batch.
 *
 * Incremental reads order by (column, keys) and resume strictly after the committed
 * (column, keys) pair, so rows sharing a timestamp are neither lost nor read twice. The keys are
 * `keys:` or the table's primary key. With `lookback`, rows with `column >= watermark - lookback`
 * are read again to catch late rows: the duplicates that brings are absorbed by a `merge` load on
 * the same keys (use merge with lookback). Without any key the read is `column >= watermark`
 * (again: merge absorbs the re-read rows).
 */
export class PostgresSource implements Source {
  private readonly conn: PostgresConnection
  private readonly options: SqlSourceOptions
  private last: PostgresWatermark | undefined
  private seen = false
  private cachedSchema: TableSchema | undefined
  private since: PostgresWatermark | undefined
  private columnIsKey = false

  constructor(conn: ConnectionConfig, options: Readonly<Record<string, unknown>>) {
    const parsed = sqlSourceOptions.safeParse(options)
    if (!parsed.success)
      throw new SluiceError(
        'E_SCHEMA_VALUE',
        `postgres source: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(source)'}: ${i.message}`).join('; ')}`,
      )
    this.options = parsed.data
    this.conn = new PostgresConnection(conn)
  }

  private baseSql(): string {
    return this.options.table !== undefined
      ? `SELECT * FROM ${quoteQualified(this.options.table)}`
      : `SELECT * FROM (${this.options.query}\n) AS _sluice_q`
  }

  async schema(_ctx?: ReadContext): Promise<TableSchema> {
    if (this.cachedSchema) return this.cachedSchema
    const res = await this.run(`${this.baseSql()} LIMIT 0`, [], 'schema query')
    const notNull = new Set<string>()
    const attrs = res.fields.filter((f) => f.tableID > 0 && f.columnID > 0)
    if (attrs.length > 0) {
      const q = await this.run<{ k: string }>(
        `SELECT attrelid::text || ':' || attnum::text AS k FROM pg_attribute
          WHERE attnotnull AND (attrelid, attnum) IN (SELECT * FROM unnest($1::oid[], $2::int2[]))`,
        [attrs.map((f) => f.tableID), attrs.map((f) => f.columnID)],
        'schema query',
      )
      for (const r of q.rows) notNull.add(r.k)
    }
    const columns: Column[] = res.fields.map((f) => ({
      name: f.name,
      type: postgresTypes.fromOid(f.dataTypeID, f.dataTypeModifier),
      nullable: !notNull.has(`${f.tableID}:${f.columnID}`),
    }))
    this.cachedSchema = { columns }
    this.fieldOids = new Map(res.fields.map((f) => [f.name, f.dataTypeID]))
    return this.cachedSchema
  }

  private fieldOids = new Map<string, number>()

  private async run<R extends pg.QueryResultRow>(
    sql: string,
    values: unknown[],
    what: string,
  ): Promise<pg.QueryResult<R>> {
    try {
      return await this.conn.query<R>(sql, values)
    } catch (e) {
      if (e instanceof SluiceError)
        throw new SluiceError(e.code, `${what}: ${e.message}`, { retryable: e.retryable, cause: e })
      throw e
    }
  }

  private async keyColumns(ctx: ReadContext): Promise<string[]> {
    const inc = this.options.incremental
    if (!inc) return []
    let keys = this.options.keys ? [...this.options.keys] : []
    if (keys.length === 0 && this.options.table !== undefined) {
      const res = await this.run<{ attname: string }>(
        `SELECT a.attname FROM pg_index i
           JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
          WHERE i.indrelid = $1::regclass AND i.indisprimary
          ORDER BY array_position(i.indkey::int2[], a.attnum)`,
        [quoteQualified(this.options.table)],
        'primary key lookup',
      )
      keys = res.rows.map((r) => r.attname)
    }
    // the incremental column is itself the whole key: `column > watermark` is exact
    this.columnIsKey = keys.length === 1 && keys[0] === inc.column
    keys = keys.filter((k) => k !== inc.column)
    if (keys.length === 0 && !this.columnIsKey)
      ctx.log(
        `incremental on ${inc.column} without a tie-breaker key: reading ${inc.column} >= watermark; use mode merge to absorb re-read rows`,
      )
    return keys
  }

  /** The SELECT (and its parameters) this read runs. */
  async plan(ctx: ReadContext): Promise<{ sql: string; values: string[]; keys: string[] }> {
    const inc = this.options.incremental
    const schema = await this.schema(ctx)
    if (!inc) return { sql: this.baseSql(), values: [], keys: [] }
    const names = schema.columns.map((c) => c.name)
    const keys = await this.keyColumns(ctx)
    for (const c of [inc.column, ...keys])
      if (!names.includes(c))
        throw new SluiceError(
          'E_SCHEMA_VALUE',
          `incremental column ${JSON.stringify(c)} is not in the result (${names.join(', ')})`,
        )
    const col = quoteIdent(inc.column)
    const keyList = keys.map(quoteIdent)
    const fromCtx = sqlWatermark.parse(ctx.since)
    this.since = fromCtx
    const values: string[] = []
    let where = ''
    if (fromCtx) {
      const lookbackMs = inc.lookback === undefined ? undefined : parseDuration(inc.lookback)
      if (lookbackMs !== undefined && lookbackMs > 0) {
        const type = TIME_OIDS[this.fieldOids.get(inc.column) ?? 0]
        if (!type)
          throw new SluiceError(
            'E_SCHEMA_VALUE',
            `incremental lookback needs a date/timestamp column; ${inc.column} is not one`,
          )
        values.push(fromCtx.value, `${Math.round(lookbackMs)} milliseconds`)
        where = `${col} >= ($1::${type} - $2::interval)`
      } else if (fromCtx.key && keys.length > 0 && fromCtx.key.length === keys.length) {
        values.push(fromCtx.value, ...fromCtx.key)
        where = `(${[col, ...keyList].join(', ')}) > (${values.map((_, i) => `$${i + 1}`).join(', ')})`
      } else {
        values.push(fromCtx.value)
        where = this.columnIsKey ? `${col} > $1` : `${col} >= $1`
      }
    } else if (inc.initial !== undefined) {
      values.push(String(inc.initial))
      where = `${col} >= $1`
    }
    const order = [`${col} ASC NULLS FIRST`, ...keyList.map((k) => `${k} ASC`)].join(', ')
    const sql = `SELECT * FROM (${this.baseSql()}) AS _sluice_inc${where ? ` WHERE ${where}` : ''} ORDER BY ${order}`
    return { sql, values, keys }
  }

  async *read(ctx: ReadContext): AsyncIterable<RowBatch> {
    const { sql, values, keys } = await this.plan(ctx)
    const schema = await this.schema(ctx)
    const inc = this.options.incremental
    const colIdx = inc ? schema.columns.findIndex((c) => c.name === inc.column) : -1
    const keyIdx = keys.map((k) => schema.columns.findIndex((c) => c.name === k))
    const batchRows = this.options.batch_size ?? ctx.batchRows
    const client = await this.conn.connect()
    let broken = false
    let open = false
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
      open = true
      await client.query(`DECLARE _sluice_cursor NO SCROLL CURSOR FOR ${sql}`, values)
      for (;;) {
        if (ctx.signal.aborted) throw new SluiceError('E_CANCELLED', 'read cancelled')
        const res = await client.query<Value[]>({
          text: `FETCH FORWARD ${batchRows} FROM _sluice_cursor`,
          rowMode: 'array',
        })
        const rows = res.rows
        if (rows.length === 0) break
        if (colIdx >= 0) {
          const lastRow = rows[rows.length - 1]!
          const value = asText(lastRow[colIdx])
          if (value !== null) {
            this.seen = true
            this.last = {
              value,
              ...(keys.length > 0 ? { key: keyIdx.map((i) => asText(lastRow[i]) ?? '') } : {}),
            }
          }
        }
        yield { schema, rows }
        if (rows.length < batchRows) break
      }
      await client.query('COMMIT')
      open = false
    } catch (e) {
      broken = !(e instanceof SluiceError)
      throw postgresError(e, this.conn.mask, `read from ${this.conn.name} failed`)
    } finally {
      if (open) await client.query('ROLLBACK').catch(() => (broken = true))
      client.release(broken)
    }
  }

  watermark(): PostgresWatermark | undefined {
    if (this.seen) return this.last
    return this.since
  }

  async close(): Promise<void> {
    await this.conn.close()
  }
}
