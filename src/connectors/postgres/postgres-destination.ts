import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { SluiceError } from '../../core/sluice-error.js'
import type { Column, TableSchema } from '../../data/column-type.js'
import type {
  ConnectionConfig,
  Destination,
  RejectedRecord,
  WatermarkRef,
  WriteContext,
  WriteMode,
  WriteResult,
} from '../../data/connector-contract.js'
import type { RowBatch } from '../../data/row-batch.js'
import { copyTextLine } from './copy-text-line.js'
import { planSchemaChange, type ExistingColumn } from './plan-schema-change.js'
import { PostgresConnection } from './postgres-connection.js'
import {
  postgresDestinationOptions,
  type PostgresDestinationOptions,
} from './postgres-destination-options.js'
import { postgresError } from './postgres-error.js'
import { postgresTypes } from './postgres-types.js'
import { quoteIdent } from './quote-ident.js'
import { quoteQualified } from './quote-qualified.js'
import { isolateRejectedRows } from '../../data/sql/isolate-rejected-rows.js'
import { splitQualifiedName } from '../../data/sql/split-qualified-name.js'

const COPY_CHUNK_ROWS = 2000
/** Numbers the staged rows when refused rows are set aside. */
const ROW_COLUMN = '_sluice_row'

/** Data exceptions (class 22) and integrity constraint violations (class 23) are about rows. */
function isRowError(e: unknown): boolean {
  const code = (e as { code?: unknown }).code
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'))
}

/**
 * The type to CAST a staged column to. Lengths are left to the INSERT: an explicit CAST to
 * varchar(n) or char(n) silently cuts a longer value, the assignment into the column refuses it.
 */
function castType(target: string): string {
  // (a bare `character` or `bit` would mean length 1)
  const m = /^(character varying|character|bit varying|bit)\(\d+\)(\[\])?$/.exec(target)
  if (!m) return target
  const base = m[1] === 'character' ? 'text' : m[1] === 'bit' ? 'bit varying' : m[1]!
  return `${base}${m[2] ?? ''}`
}

function rowErrorText(e: unknown): string {
  const err = e as { message?: unknown; detail?: unknown }
  const detail = typeof err.detail === 'string' ? ` (${err.detail})` : ''
  return `${typeof err.message === 'string' ? err.message : String(e)}${detail}`
}

type Step = <R extends pg.QueryResultRow = Record<string, unknown>>(
  sql: string,
  values?: unknown[],
) => Promise<pg.QueryResult<R>>

/** The table a load writes, once created or evolved for the data. */
interface Target {
  /** Quoted `schema.table`. */
  readonly sql: string
  /** Created in this transaction (it did not exist before). */
  readonly fresh: boolean
  /** Columns were added, widened or discarded. */
  readonly changed: boolean
  /** The data columns that go into the table. */
  readonly insertCols: string[]
  /** The table's column types (`format_type`). */
  readonly targetTypes: Map<string, string>
}

function jsonText(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
}

/**
 * Loads batches (`write`) or a CSV byte stream (`writeCsv`, the fast path) into a table in one
 * transaction: the table is created or evolved first; rows go by `COPY … FROM STDIN` into a
 * temporary staging table and then into the table under the mode (append, replace,
 * truncate_insert, merge via INSERT … ON CONFLICT) — or, when the table is new or an append needs
 * no schema change and the types match exactly, straight into the table — and the watermark is
 * upserted into `_sluice_state`. Any failure or abort rolls everything back: the table and the
 * watermark are either both updated or both untouched (exactly-once with a resumed run).
 * `ctx.watermark.value` is read after the last batch, so a streaming copy may pass a getter over
 * `source.watermark()`. Under `replace` the table is dropped and created anew from the data's
 * schema (`freeze`: truncated instead); a table it creates gets a primary key on `keys`.
 */
export class PostgresDestination implements Destination {
  private readonly conn: PostgresConnection
  private readonly options: PostgresDestinationOptions

  constructor(conn: ConnectionConfig, options: Readonly<Record<string, unknown>>) {
    const parsed = postgresDestinationOptions.safeParse(options)
    if (!parsed.success)
      throw new SluiceError(
        'E_SCHEMA_VALUE',
        `postgres destination: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(destination)'}: ${i.message}`).join('; ')}`,
      )
    this.options = parsed.data
    this.conn = new PostgresConnection(conn)
  }

  private stateTable(): string {
    return this.options.state_schema === undefined
      ? quoteIdent('_sluice_state')
      : `${quoteIdent(this.options.state_schema)}.${quoteIdent('_sluice_state')}`
  }

  async write(ctx: WriteContext, batches: AsyncIterable<RowBatch>): Promise<WriteResult> {
    return this.load(ctx, (client, table, setCopying) =>
      this.copyInto(client, table, ctx.schema, batches, ctx, setCopying),
    )
  }

  /**
   * The fast path: a `BulkCsv` stream (header line, NULL as an empty unquoted field, '' as `""`)
   * goes by `COPY … FROM STDIN WITH (FORMAT csv, HEADER true)` into the same staging table, then
   * the same transaction as `write` applies mode, schema evolution and watermark.
   */
  async writeCsv(ctx: WriteContext, csv: Readable): Promise<WriteResult> {
    return this.load(ctx, async (client, table, setCopying) => {
      const cols = ctx.schema.columns.map((c) => quoteIdent(c.name)).join(', ')
      const stream = client.query(
        copyFrom(`COPY ${table} (${cols}) FROM STDIN WITH (FORMAT csv, HEADER true)`),
      )
      setCopying(stream)
      await pipeline(csv, stream)
      return stream.rowCount
    })
  }

  /** One load: `fill` COPYs the rows into the table it is given (the staging table or the target). */
  private async load(
    ctx: WriteContext,
    fill: (
      client: pg.PoolClient,
      table: string,
      setCopying: (s: { destroy(e: Error): void }) => void,
    ) => Promise<number>,
  ): Promise<WriteResult> {
    const mode: WriteMode = ctx.mode ?? this.options.mode ?? 'append'
    const keys = [...(ctx.keys ?? this.options.keys ?? [])]
    const schema = ctx.schema
    const names = schema.columns.map((c) => c.name)
    if (schema.columns.length === 0)
      throw new SluiceError('E_SCHEMA_VALUE', 'cannot load a schema without columns')
    if (new Set(names).size !== names.length)
      throw new SluiceError('E_SCHEMA_VALUE', `duplicate column names in ${names.join(', ')}`)
    if (mode === 'merge' && keys.length === 0)
      throw new SluiceError('E_SCHEMA_REQUIRED', 'mode merge needs keys', {
        hint: 'add keys: [id] to the destination',
      })
    for (const k of keys)
      if (!names.includes(k))
        throw new SluiceError('E_SCHEMA_VALUE', `key ${JSON.stringify(k)} is not a column`, {
          hint: `columns: ${names.join(', ')}`,
        })
    if (ctx.signal.aborted) throw new SluiceError('E_CANCELLED', 'load cancelled')

    const client = await this.conn.connect()
    const pid = (client as unknown as { processID?: number }).processID
    let copying: { destroy(e: Error): void } | undefined
    let busy = false
    const onAbort = (): void => {
      if (copying) copying.destroy(new Error('load cancelled'))
      else if (busy && pid !== undefined)
        this.conn.pool.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => {})
    }
    ctx.signal.addEventListener('abort', onAbort, { once: true })
    const step = async <R extends pg.QueryResultRow = Record<string, unknown>>(
      sql: string,
      values?: unknown[],
    ): Promise<pg.QueryResult<R>> => {
      if (ctx.signal.aborted) throw new SluiceError('E_CANCELLED', 'load cancelled')
      busy = true
      try {
        return await client.query<R>(sql, values)
      } finally {
        busy = false
      }
    }
    let open = false
    let broken = false
    try {
      if (ctx.watermark) await this.ensureStateTable(client)
      await step('BEGIN')
      open = true
      const stage = quoteIdent(`_sluice_stage_${randomBytes(6).toString('hex')}`)
      // rows are numbered in the staging table when refused ones are to be set aside
      const isolating = ctx.rejects !== undefined
      await step(
        `CREATE TEMP TABLE ${stage} (${schema.columns
          .map((c) => `${quoteIdent(c.name)} ${postgresTypes.toDdl(c.type)}`)
          .join(', ')}${isolating ? `, ${ROW_COLUMN} bigserial` : ''}) ON COMMIT DROP`,
      )
      const target = await this.prepareTarget(step, schema, mode, keys, ctx)
      let written: number
      let rejected: RejectedRecord[] = []
      if (!isolating && (await this.copiesDirectly(step, target, stage, schema, mode))) {
        written = await fill(client, target.sql, (s) => (copying = s))
        copying = undefined
        ctx.log(`copied ${written} rows into ${target.sql}`)
      } else {
        const staged = await fill(client, stage, (s) => (copying = s))
        copying = undefined
        ctx.log(`staged ${staged} rows`)
        if (ctx.rejects) {
          ;({ written, rejected } = await this.insertSettingAside(
            step,
            stage,
            target,
            mode,
            keys,
            staged,
            ctx.rejects.max,
          ))
          if (rejected.length > 0)
            ctx.log(`set aside ${rejected.length} rows ${target.sql} refused; loaded ${written}`)
        } else written = await this.insertFromStage(step, stage, target, mode, keys)
      }
      if (ctx.watermark) {
        const st = this.stateTable()
        await step(
          `INSERT INTO ${st} (pipeline, key, value, updated_at) VALUES ($1, $2, $3::jsonb, now())
           ON CONFLICT (pipeline, key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`,
          [ctx.watermark.pipeline, ctx.watermark.key, jsonText(ctx.watermark.value ?? null)],
        )
      }
      if (ctx.signal.aborted) throw new SluiceError('E_CANCELLED', 'load cancelled')
      await step('COMMIT')
      open = false
      return {
        rowsWritten: written,
        rowsRejected: rejected.length,
        ...(ctx.rejects && { rejected }),
      }
    } catch (e) {
      broken = copying !== undefined || !(e instanceof SluiceError)
      if (ctx.signal.aborted) throw new SluiceError('E_CANCELLED', 'load cancelled', { cause: e })
      throw postgresError(e, this.conn.mask, `load into ${this.options.table} failed`)
    } finally {
      ctx.signal.removeEventListener('abort', onAbort)
      if (open) await client.query('ROLLBACK').catch(() => (broken = true))
      client.release(broken)
    }
  }

  /** Creates `_sluice_state` when missing (outside the load's transaction; races are fine). */
  private async ensureStateTable(client: pg.PoolClient): Promise<void> {
    try {
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${this.stateTable()} (pipeline text NOT NULL,
           key text NOT NULL, value jsonb, updated_at timestamptz NOT NULL DEFAULT now(),
           PRIMARY KEY (pipeline, key))`,
      )
    } catch (e) {
      // a concurrent load created it between the check and the insert into pg_type
      const code = (e as { code?: string }).code
      if (code !== '23505' && code !== '42P07') throw e
    }
  }

  private async copyInto(
    client: pg.PoolClient,
    table: string,
    schema: TableSchema,
    batches: AsyncIterable<RowBatch>,
    ctx: WriteContext,
    setCopying: (s: { destroy(e: Error): void }) => void,
  ): Promise<number> {
    const width = schema.columns.length
    let count = 0
    async function* lines(): AsyncGenerator<string> {
      for await (const batch of batches) {
        const rows = batch.rows
        for (let start = 0; start < rows.length; start += COPY_CHUNK_ROWS) {
          let chunk = ''
          const end = Math.min(rows.length, start + COPY_CHUNK_ROWS)
          for (let i = start; i < end; i++) {
            const row = rows[i]!
            if (row.length !== width)
              throw new SluiceError(
                'E_SCHEMA_DRIFT',
                `row ${count + 1} has ${row.length} values; the schema has ${width} columns`,
                { row: count + 1 },
              )
            chunk += copyTextLine(row)
            count++
          }
          yield chunk
        }
        if (ctx.signal.aborted) throw new SluiceError('E_CANCELLED', 'load cancelled')
      }
    }
    const cols = schema.columns.map((c) => quoteIdent(c.name)).join(', ')
    const stream = client.query(copyFrom(`COPY ${table} (${cols}) FROM STDIN`))
    setCopying(stream)
    const source = Readable.from(lines(), { objectMode: false })
    await pipeline(source, stream)
    return count
  }

  private async targetName(
    step: <R extends pg.QueryResultRow>(sql: string, v?: unknown[]) => Promise<pg.QueryResult<R>>,
  ): Promise<{ schema: string; table: string; sql: string }> {
    const parts = splitQualifiedName(this.options.table, { maxParts: 3 })
    if (parts.length > 2)
      throw new SluiceError(
        'E_SCHEMA_VALUE',
        `table ${this.options.table}: use table or schema.table`,
      )
    let schemaName = parts.length === 2 ? parts[0]! : undefined
    const table = parts[parts.length - 1]!
    if (schemaName === undefined) {
      const r = await step<{ s: string | null }>('SELECT current_schema() AS s')
      schemaName = String(r.rows[0]?.s ?? 'public')
    }
    return { schema: schemaName, table, sql: quoteQualified([schemaName, table]) }
  }

  /**
   * Before the rows: creates the table (or drops and creates it under `replace`), or evolves it
   * (add, widen; `discard_columns` drops data columns) and truncates it under `truncate_insert`.
   */
  private async prepareTarget(
    step: Step,
    schema: TableSchema,
    mode: WriteMode,
    keys: string[],
    ctx: WriteContext,
  ): Promise<Target> {
    const target = await this.targetName(step)
    const policy = this.options.schema_evolution ?? 'evolve'
    const existing = await this.columnsOf(step, target.sql)
    const create = async (): Promise<void> => {
      if (this.options.create === false)
        throw new SluiceError('E_SCHEMA_VALUE', `table ${this.options.table} does not exist`, {
          hint: 'create it, or drop create: false',
        })
      const defs = schema.columns.map(
        (c: Column) =>
          `${quoteIdent(c.name)} ${postgresTypes.toDdl(c.type)}${c.nullable || keys.includes(c.name) ? '' : ' NOT NULL'}`,
      )
      if (keys.length > 0) defs.push(`PRIMARY KEY (${keys.map(quoteIdent).join(', ')})`)
      await step(`CREATE TABLE ${target.sql} (${defs.join(', ')})`)
      ctx.log(`created table ${target.sql}`)
    }
    let insertCols = schema.columns.map((c) => c.name)
    let targetTypes = new Map(schema.columns.map((c) => [c.name, postgresTypes.toDdl(c.type)]))
    let changed = false
    if (existing === undefined) {
      await create()
    } else if (mode === 'replace' && policy !== 'freeze') {
      await step(`DROP TABLE ${target.sql}`)
      await create()
    } else {
      const change = planSchemaChange(existing, schema, policy)
      if (change.drift.length > 0)
        throw new SluiceError(
          'E_SCHEMA_DRIFT',
          `the data does not fit table ${this.options.table} (schema_evolution: ${policy}):\n  ${change.drift.join('\n  ')}`,
          {
            hint:
              policy === 'evolve'
                ? 'cast the column in a sql step, or change the table'
                : 'use schema_evolution: evolve, or change the table',
          },
        )
      for (const c of change.add) {
        await step(
          `ALTER TABLE ${target.sql} ADD COLUMN ${quoteIdent(c.name)} ${postgresTypes.toDdl(c.type)}`,
        )
        ctx.log(`added column ${c.name} ${postgresTypes.describe(c.type)}`)
      }
      for (const w of change.widen) {
        await step(`ALTER TABLE ${target.sql} ALTER COLUMN ${quoteIdent(w.name)} TYPE ${w.to}`)
        ctx.log(`widened column ${w.name} from ${w.from} to ${w.to}`)
      }
      changed = change.add.length > 0 || change.widen.length > 0 || change.discard.length > 0
      insertCols = insertCols.filter((n) => !change.discard.includes(n))
      const now = await this.columnsOf(step, target.sql)
      targetTypes = new Map((now ?? []).map((c) => [c.name, c.type]))
      if (mode === 'truncate_insert' || mode === 'replace') await step(`TRUNCATE ${target.sql}`)
    }
    return { sql: target.sql, fresh: existing === undefined, changed, insertCols, targetTypes }
  }

  /**
   * Whether rows may be copied straight into the table instead of through the staging table:
   * the table is new in this transaction, or an append needs no schema change; no merge; and every
   * column has the staging table's exact type (so COPY's text input equals the staged CAST). Other
   * cases stage, which keeps locks taken by TRUNCATE, DROP or ALTER short.
   */
  private async copiesDirectly(
    step: Step,
    target: Target,
    stage: string,
    schema: TableSchema,
    mode: WriteMode,
  ): Promise<boolean> {
    if (mode === 'merge' || target.insertCols.length !== schema.columns.length) return false
    if (target.fresh) return true
    if (mode !== 'append' || target.changed) return false
    const staged = new Map(((await this.columnsOf(step, stage)) ?? []).map((c) => [c.name, c.type]))
    return target.insertCols.every((n) => target.targetTypes.get(n) === staged.get(n))
  }

  /**
   * With `ctx.rejects`: moves the staged rows into the table all at once under a savepoint and,
   * when the table refuses some (class 22 data or 23 constraint errors), finds them by bisection
   * over the row numbers; the others load. Returns what was written and what was set aside.
   */
  private async insertSettingAside(
    step: Step,
    stage: string,
    target: Target,
    mode: WriteMode,
    keys: string[],
    staged: number,
    max: number,
  ): Promise<{ written: number; rejected: RejectedRecord[] }> {
    const rejected: RejectedRecord[] = []
    const attempt = async (range?: readonly [number, number]): Promise<number> => {
      await step('SAVEPOINT _sluice_rows')
      try {
        const n = await this.insertFromStage(step, stage, target, mode, keys, range)
        await step('RELEASE SAVEPOINT _sluice_rows')
        return n
      } catch (e) {
        await step('ROLLBACK TO SAVEPOINT _sluice_rows')
        throw e
      }
    }
    try {
      return { written: await attempt(), rejected }
    } catch (e) {
      if (!isRowError(e)) throw e
      await step(`CREATE INDEX ON ${stage} (${ROW_COLUMN})`)
      const { written } = await isolateRejectedRows(1, staged + 1, e, {
        tryRange: (lo, hi) => attempt([lo, hi]),
        isRowError,
        max,
        target: `table ${this.options.table}`,
        reject: async (row, error) => {
          const r = await step<{ raw: string }>(
            `SELECT (to_jsonb(s) - '${ROW_COLUMN}')::text AS raw FROM ${stage} s WHERE ${ROW_COLUMN} = $1`,
            [row],
          )
          rejected.push({
            file: this.options.table,
            line: row,
            reason: rowErrorText(error),
            raw: r.rows[0]?.raw ?? '',
          })
        },
      })
      return { written, rejected }
    }
  }

  /**
   * After the rows: moves them (those numbered in `range`, end exclusive, when given) from the
   * staging table into the table (merge: upsert on keys, the last staged row of a key wins).
   */
  private async insertFromStage(
    step: Step,
    stage: string,
    target: Target,
    mode: WriteMode,
    keys: string[],
    range?: readonly [number, number],
  ): Promise<number> {
    const from =
      range === undefined
        ? stage
        : `(SELECT * FROM ${stage} WHERE ${ROW_COLUMN} >= ${range[0]} AND ${ROW_COLUMN} < ${range[1]}) AS _sluice_r`
    const order = range === undefined ? 'ctid' : ROW_COLUMN
    const { insertCols, targetTypes } = target
    const colList = insertCols.map(quoteIdent).join(', ')
    const select = insertCols
      .map((n) => `CAST(${quoteIdent(n)} AS ${castType(targetTypes.get(n) ?? 'text')})`)
      .join(', ')
    if (mode === 'merge') {
      const keyList = keys.map(quoteIdent).join(', ')
      const rest = insertCols.filter((n) => !keys.includes(n))
      const action =
        rest.length === 0
          ? 'DO NOTHING'
          : `DO UPDATE SET ${rest.map((n) => `${quoteIdent(n)} = EXCLUDED.${quoteIdent(n)}`).join(', ')}`
      try {
        const r = await step(
          `INSERT INTO ${target.sql} (${colList})
           SELECT ${select} FROM (SELECT DISTINCT ON (${keyList}) * FROM ${from}
                                   ORDER BY ${keyList}, ${order} DESC) AS _sluice_s
           ON CONFLICT (${keyList}) ${action}`,
        )
        return r.rowCount ?? 0
      } catch (e) {
        if ((e as { code?: string }).code === '42P10')
          throw new SluiceError(
            'E_SCHEMA_VALUE',
            `mode merge needs a primary key or unique index on (${keys.join(', ')}) in ${this.options.table}`,
            { hint: `CREATE UNIQUE INDEX ON ${target.sql} (${keyList})`, cause: e },
          )
        throw e
      }
    }
    const r = await step(`INSERT INTO ${target.sql} (${colList}) SELECT ${select} FROM ${from}`)
    return r.rowCount ?? 0
  }

  private async columnsOf(
    step: <R extends pg.QueryResultRow>(sql: string, v?: unknown[]) => Promise<pg.QueryResult<R>>,
    table: string,
  ): Promise<ExistingColumn[] | undefined> {
    const rel = await step<{ oid: string | null }>('SELECT to_regclass($1)::oid::text AS oid', [
      table,
    ])
    const oid = rel.rows[0]?.oid
    if (oid === null || oid === undefined) return undefined
    const cols = await step<ExistingColumn>(
      `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
        WHERE attrelid = $1::oid AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
      [oid],
    )
    return cols.rows
  }

  async readWatermark(ref: WatermarkRef): Promise<unknown> {
    const st = this.stateTable()
    const name = this.options.state_schema === undefined ? '_sluice_state' : st
    const exists = await this.conn.query<{ t: string | null }>(
      'SELECT to_regclass($1)::text AS t',
      [name === '_sluice_state' ? quoteIdent(name) : name],
    )
    if (exists.rows[0]?.t == null) return undefined
    const r = await this.conn.query<{ value: string | null }>(
      `SELECT value FROM ${st} WHERE pipeline = $1 AND key = $2`,
      [ref.pipeline, ref.key],
    )
    const v = r.rows[0]?.value
    return v === undefined || v === null ? undefined : (JSON.parse(v) as unknown)
  }

  async close(): Promise<void> {
    await this.conn.close()
  }
}
