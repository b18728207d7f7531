import type { PoolConnection } from 'mysql2'
import { randomBytes } from 'node:crypto'
import { loadKeys, sameKeys } from '../../data/sql/load-keys.js'
import { SluiceError } from '../../core/sluice-error.js'
import type { Column, TableSchema, Value } from '../../data/column-type.js'
import type {
  ConnectionConfig,
  Destination,
  RejectedRecord,
  WatermarkRef,
  WriteContext,
  WriteResult,
} from '../../data/connector-contract.js'
import type { RowBatch } from '../../data/row-batch.js'
import { MysqlConnection } from './mysql-connection.js'
import {
  mysqlDestinationOptions,
  type MysqlDestinationOptions,
} from './mysql-destination-options.js'
import { mysqlError } from './mysql-error.js'
import { isolateRejectedRows } from '../../data/sql/isolate-rejected-rows.js'
import { sqlSchemaDiff } from '../../data/sql/sql-schema-diff.js'
import { mysqlTableName, type MysqlTableName } from './mysql-table-name.js'
import { mysqlTypes } from './mysql-types.js'
import { mysqlValues } from './mysql-values.js'
import { quoteMysqlIdent as q } from './quote-mysql-ident.js'
import { readMysqlTable, type MysqlTable } from './read-mysql-table.js'

const STATE_TABLE = '`_sluice_state`'
const DEFAULT_ROWS_PER_INSERT = 1000

function jsonText(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x))
}

/** Errors about the rows: SQLSTATE 22 (data) and 23 (constraints), plus value errors MySQL files under HY000. */
const ROW_ERRNOS = new Set([1265, 1292, 1364, 1366, 1690, 3819, 4025])
function isMysqlRowError(e: unknown): boolean {
  const cause = (e as { cause?: { sqlState?: unknown; errno?: unknown } }).cause
  const state = typeof cause?.sqlState === 'string' ? cause.sqlState : ''
  return (
    state.startsWith('22') ||
    state.startsWith('23') ||
    (typeof cause?.errno === 'number' && ROW_ERRNOS.has(cause.errno))
  )
}

function result(rowsWritten: number, setAside: RejectedRecord[], ctx: WriteContext): WriteResult {
  if (setAside.length > 0) ctx.log(`set aside ${setAside.length} rows the table refused`)
  return {
    rowsWritten,
    rowsRejected: setAside.length,
    ...(ctx.rejects && { rejected: setAside }),
  }
}

/**
 * Loads batches into a MySQL/MariaDB table. Rows go through a session-private staging table
 * (`CREATE TEMPORARY TABLE … LIKE target`) with multi-row INSERTs (1000 rows or
 * max_allowed_packet per statement), then into the target by one INSERT … SELECT (append,
 * truncate_insert after a DELETE) or INSERT … ON DUPLICATE KEY UPDATE (merge), and the watermark
 * row in `_sluice_state`: all in one transaction, so a failure anywhere leaves the table as it
 * was. DDL (CREATE TABLE, ADD COLUMN) runs before that transaction because MySQL commits
 * implicitly around DDL: a table created by a failed load is dropped again, an added column
 * stays. `replace` loads a new table and swaps it in with one RENAME TABLE (the watermark row
 * is written right after the swap). With `ctx.rejects`, a multi-row INSERT the staging table
 * refuses (NOT NULL, CHECK, a duplicate key, a value out of range) is retried in halves down to
 * the single rows, which are set aside; conflicts found only by the final INSERT … SELECT (with
 * rows already in the table) still fail the load.
 */
export class MysqlDestination implements Destination {
  private readonly conn: MysqlConnection
  private readonly options: MysqlDestinationOptions

  constructor(conn: ConnectionConfig, options: Readonly<Record<string, unknown>>) {
    const parsed = mysqlDestinationOptions.safeParse(options)
    if (!parsed.success)
      throw new SluiceError(
        'E_SCHEMA_VALUE',
        `destination on ${conn.name}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
      )
    this.options = parsed.data
    this.conn = new MysqlConnection(conn)
  }

  async write(ctx: WriteContext, batches: AsyncIterable<RowBatch>): Promise<WriteResult> {
    const name = mysqlTableName(this.options.table)
    const mode = ctx.mode
    const keys = loadKeys(ctx, this.options.keys, name.sql)
    const c = await this.conn.connect()
    let broken = false
    let created = false
    try {
      const env = await this.serverInfo(c)
      if (ctx.watermark) await this.ensureStateTable(c, env.collation)
      if (mode === 'replace') return await this.replace(c, ctx, name, keys, env, batches)
      let table = await readMysqlTable(this.conn, c, name)
      let columns = ctx.schema.columns
      if (!table) {
        if (this.options.create === false)
          throw new SluiceError('E_TASK_FAILED', `table ${name.sql} does not exist`, {
            retryable: false,
            hint: 'create it, or drop create: false',
          })
        await this.conn.run(c, this.createSql(name, columns, keys, env.collation))
        created = true
        ctx.log(`created table ${name.sql}`)
        table = (await readMysqlTable(this.conn, c, name))!
      } else {
        columns = await this.evolve(c, ctx, name, table)
        if (columns !== ctx.schema.columns) table = (await readMysqlTable(this.conn, c, name))!
      }
      const stage = mysqlTableName(
        `${name.database === undefined ? '' : `${q(name.database)}.`}${q(`_sluice_stg_${randomBytes(6).toString('hex')}`)}`,
      )
      const setAside: RejectedRecord[] = []
      const upsertable = keys.length > 0 && table.uniqueKeys.some((u) => sameKeys(u, keys))
      await this.conn.run(c, 'START TRANSACTION')
      try {
        await this.conn.run(c, `CREATE TEMPORARY TABLE ${stage.sql} LIKE ${name.sql}`)
        const rowsWritten = await this.load(c, ctx, stage, columns, env.maxPacket, batches, {
          upsert: mode === 'merge' && upsertable,
          keys,
          setAside,
        })
        const cols = columns.map((col) => q(col.name)).join(', ')
        if (mode === 'truncate_insert') await this.conn.run(c, `DELETE FROM ${name.sql}`)
        if (mode === 'merge' && !upsertable) {
          const on = keys.map((k) => `t.${q(k)} <=> s.${q(k)}`).join(' AND ')
          await this.conn.run(c, `DELETE t FROM ${name.sql} AS t JOIN ${stage.sql} AS s ON ${on}`)
        }
        let sql = `INSERT INTO ${name.sql} (${cols}) SELECT ${cols} FROM ${stage.sql}`
        if (mode === 'merge' && upsertable) sql += this.onDuplicate(columns, keys)
        await this.conn.run(c, sql)
        if (ctx.watermark) await this.saveWatermark(c, ctx.watermark)
        await this.conn.run(c, 'COMMIT')
        ctx.log(`loaded ${rowsWritten} rows into ${name.sql} (${mode})`)
        return result(rowsWritten, setAside, ctx)
      } catch (e) {
        await this.conn.run(c, 'ROLLBACK').catch(() => (broken = true))
        throw e
      } finally {
        if (!broken)
          await this.conn.run(c, `DROP TEMPORARY TABLE IF EXISTS ${stage.sql}`).catch(() => {
            broken = true
          })
      }
    } catch (e) {
      const err = mysqlError(e, this.conn.mask, `load into ${name.sql} on ${this.conn.name} failed`)
      if (err.code === 'E_NETWORK') broken = true
      // a table this load created (DDL commits on its own in MySQL) goes again on failure
      if (created && !broken)
        await this.conn.run(c, `DROP TABLE IF EXISTS ${name.sql}`).catch(() => undefined)
      throw err
    } finally {
      if (broken) c.destroy()
      else c.release()
    }
  }

  private async serverInfo(c: PoolConnection): Promise<{ collation: string; maxPacket: number }> {
    const { rows } = await this.conn.run<{ v: string; p: string | number }[]>(
      c,
      'SELECT VERSION() AS v, @@max_allowed_packet AS p',
    )
    const v = rows[0]?.v ?? ''
    const collation = /mariadb/i.test(v)
      ? 'utf8mb4_nopad_bin'
      : /^[89]\./.test(v)
        ? 'utf8mb4_0900_bin'
        : 'utf8mb4_bin'
    return { collation, maxPacket: Number(rows[0]?.p ?? 4_194_304) }
  }

  private createSql(
    name: MysqlTableName,
    columns: readonly Column[],
    keys: readonly string[],
    collation: string,
  ): string {
    const isKey = new Set(keys.map((k) => k.toLowerCase()))
    const defs = columns.map((col) => {
      const key = isKey.has(col.name.toLowerCase())
      return `${q(col.name)} ${mysqlTypes.toNative(col.type, key)}${key || !col.nullable ? ' NOT NULL' : ' NULL'}`
    })
    if (keys.length > 0) defs.push(`PRIMARY KEY (${keys.map(q).join(', ')})`)
    return `CREATE TABLE IF NOT EXISTS ${name.sql} (\n  ${defs.join(',\n  ')}\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=${collation}`
  }

  /** Applies schema_evolution; returns the incoming columns that will be written. */
  private async evolve(
    c: PoolConnection,
    ctx: WriteContext,
    name: MysqlTableName,
    table: MysqlTable,
  ): Promise<readonly Column[]> {
    const policy = this.options.schema_evolution ?? 'evolve'
    const diff = sqlSchemaDiff(table.columns, ctx.schema.columns)
    if (diff.added.length === 0 && diff.changed.length === 0) return ctx.schema.columns
    if (policy === 'freeze' || diff.changed.length > 0)
      throw new SluiceError('E_SCHEMA_DRIFT', `schema drift on ${name.sql}: ${diff.text()}`, {
        hint:
          diff.changed.length > 0
            ? 'cast the column to the table type in an upstream step (narrowing needs an explicit cast)'
            : 'set schema_evolution: evolve to add the new columns',
      })
    if (policy === 'discard_columns') {
      const drop = new Set(diff.added)
      ctx.log(`discarding columns not in ${name.sql}: ${diff.added.map((a) => a.name).join(', ')}`)
      return ctx.schema.columns.filter((col) => !drop.has(col))
    }
    const adds = diff.added.map(
      (col) => `ADD COLUMN ${q(col.name)} ${mysqlTypes.toNative(col.type)} NULL`,
    )
    await this.conn.run(c, `ALTER TABLE ${name.sql} ${adds.join(', ')}`)
    ctx.log(`added columns to ${name.sql}: ${diff.added.map((a) => a.name).join(', ')}`)
    return [...ctx.schema.columns]
  }

  private onDuplicate(columns: readonly Column[], keys: readonly string[]): string {
    const isKey = new Set(keys.map((k) => k.toLowerCase()))
    const rest = columns.filter((col) => !isKey.has(col.name.toLowerCase()))
    const sets = (rest.length > 0 ? rest.map((col) => col.name) : [keys[0]!]).map(
      (n) => `${q(n)} = VALUES(${q(n)})`,
    )
    return ` ON DUPLICATE KEY UPDATE ${sets.join(', ')}`
  }

  /** Streams the batches into `into` with multi-row INSERTs; returns the row count. */
  private async load(
    c: PoolConnection,
    ctx: WriteContext,
    into: MysqlTableName,
    columns: readonly Column[],
    maxPacket: number,
    batches: AsyncIterable<RowBatch>,
    how: { upsert: boolean; keys: readonly string[]; setAside: RejectedRecord[] },
  ): Promise<number> {
    const rowsPerInsert = this.options.batch_size ?? DEFAULT_ROWS_PER_INSERT
    const limit = Math.max(16_384, maxPacket - 65_536)
    const wanted = new Map(columns.map((col) => [col.name, col]))
    const suffix = how.upsert ? this.onDuplicate(columns, how.keys) : ''
    let plan: { schema: TableSchema; head: string; idx: number[]; cols: Column[] } | undefined
    let total = 0
    let seen = 0
    const setAside = how.setAside
    // one statement runs on the server while the next is built
    let inFlight: Promise<unknown> | undefined
    const send = async (tuples: string[], rows: (readonly Value[])[]): Promise<void> => {
      const { head, cols, idx } = plan!
      const sql = head + tuples.join(',') + suffix
      if (!ctx.rejects) {
        if (inFlight) await inFlight
        const p = this.conn.run(c, sql)
        p.catch(() => undefined)
        inFlight = p
        return
      }
      // refused rows are set aside: InnoDB undoes a failed statement, so halves are retried
      try {
        await this.conn.run(c, sql)
      } catch (e) {
        if (!isMysqlRowError(e)) throw e
        const first = seen + 1
        const { rejected } = await isolateRejectedRows(0, tuples.length, e, {
          tryRange: async (lo, hi) => {
            await this.conn.run(c, head + tuples.slice(lo, hi).join(',') + suffix)
            return hi - lo
          },
          isRowError: isMysqlRowError,
          max: ctx.rejects.max,
          before: setAside.length,
          target: `table ${into.sql}`,
          reject: (i, err) => {
            const names = cols.map((col) => col.name)
            const row = rows[i]!
            setAside.push({
              file: this.options.table,
              line: first + i,
              reason: err instanceof Error ? err.message : String(err),
              raw: jsonText(Object.fromEntries(names.map((n, j) => [n, row[idx[j]!]]))),
            })
            return Promise.resolve()
          },
        })
        total -= rejected
      }
    }
    for await (const batch of batches) {
      if (ctx.signal.aborted) throw new SluiceError('E_CANCELLED', 'load cancelled')
      if (plan?.schema !== batch.schema) {
        const idx: number[] = []
        const cols: Column[] = []
        batch.schema.columns.forEach((col, i) => {
          const w = wanted.get(col.name)
          if (w) {
            idx.push(i)
            cols.push(w)
          }
        })
        plan = {
          schema: batch.schema,
          idx,
          cols,
          head: `INSERT INTO ${into.sql} (${cols.map((col) => q(col.name)).join(', ')}) VALUES `,
        }
      }
      const { head, idx, cols } = plan
      let parts: string[] = []
      let partRows: (readonly Value[])[] = []
      let size = head.length + suffix.length
      for (const row of batch.rows) {
        let tuple = '('
        for (let j = 0; j < idx.length; j++) {
          if (j > 0) tuple += ','
          tuple += mysqlValues.literal(row[idx[j]!], cols[j]!.type)
        }
        tuple += ')'
        const bytes = tuple.length * 3
        if (bytes + head.length + suffix.length > limit)
          throw new SluiceError(
            'E_TASK_FAILED',
            `row ${total + parts.length + 1} is larger than max_allowed_packet (${maxPacket} bytes)`,
            { retryable: false, hint: 'raise max_allowed_packet on the server' },
          )
        if (parts.length >= rowsPerInsert || size + bytes + 1 > limit) {
          await send(parts, partRows)
          total += parts.length
          seen += parts.length
          parts = []
          partRows = []
          size = head.length + suffix.length
        }
        parts.push(tuple)
        if (ctx.rejects) partRows.push(row)
        size += bytes + 1
      }
      if (parts.length > 0) {
        await send(parts, partRows)
        total += parts.length
        seen += parts.length
      }
    }
    if (inFlight) await inFlight
    return total
  }

  private async replace(
    c: PoolConnection,
    ctx: WriteContext,
    name: MysqlTableName,
    keys: readonly string[],
    env: { collation: string; maxPacket: number },
    batches: AsyncIterable<RowBatch>,
  ): Promise<WriteResult> {
    const sibling = (prefix: string): MysqlTableName =>
      mysqlTableName(
        `${name.database === undefined ? '' : `${q(name.database)}.`}${q(`${prefix}${randomBytes(6).toString('hex')}`)}`,
      )
    const setAside: RejectedRecord[] = []
    const fresh = sibling('_sluice_new_')
    const old = sibling('_sluice_old_')
    await this.conn.run(c, this.createSql(fresh, ctx.schema.columns, keys, env.collation))
    try {
      await this.conn.run(c, 'START TRANSACTION')
      let rowsWritten: number
      try {
        rowsWritten = await this.load(c, ctx, fresh, ctx.schema.columns, env.maxPacket, batches, {
          upsert: false,
          keys,
          setAside,
        })
        await this.conn.run(c, 'COMMIT')
      } catch (e) {
        await this.conn.run(c, 'ROLLBACK').catch(() => undefined)
        throw e
      }
      const exists = (await readMysqlTable(this.conn, c, name)) !== undefined
      // one atomic RENAME swaps the tables; the watermark follows right after
      await this.conn.run(
        c,
        exists
          ? `RENAME TABLE ${name.sql} TO ${old.sql}, ${fresh.sql} TO ${name.sql}`
          : `RENAME TABLE ${fresh.sql} TO ${name.sql}`,
      )
      if (exists) await this.conn.run(c, `DROP TABLE IF EXISTS ${old.sql}`)
      if (ctx.watermark) await this.saveWatermark(c, ctx.watermark)
      ctx.log(`replaced ${name.sql} with ${rowsWritten} rows`)
      return result(rowsWritten, setAside, ctx)
    } catch (e) {
      await this.conn.run(c, `DROP TABLE IF EXISTS ${fresh.sql}`).catch(() => undefined)
      throw e
    }
  }

  private async ensureStateTable(c: PoolConnection, collation: string): Promise<void> {
    await this.conn.run(
      c,
      `CREATE TABLE IF NOT EXISTS ${STATE_TABLE} (
        pipeline VARCHAR(191) NOT NULL,
        \`key\` VARCHAR(191) NOT NULL,
        value LONGTEXT NOT NULL,
        updated_at DATETIME(6) NOT NULL,
        PRIMARY KEY (pipeline, \`key\`)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=${collation}`,
    )
  }

  private async saveWatermark(
    c: PoolConnection,
    wm: WatermarkRef & { readonly value: unknown },
  ): Promise<void> {
    await this.conn.run(
      c,
      `INSERT INTO ${STATE_TABLE} (pipeline, \`key\`, value, updated_at)
       VALUES (?, ?, ?, UTC_TIMESTAMP(6))
       ON DUPLICATE KEY UPDATE value = VALUES(value), updated_at = VALUES(updated_at)`,
      [wm.pipeline, wm.key, jsonText(wm.value ?? null)],
    )
  }

  async readWatermark(ref: WatermarkRef): Promise<unknown> {
    const c = await this.conn.connect()
    try {
      const { rows } = await this.conn.run<{ value: string }[]>(
        c,
        `SELECT value FROM ${STATE_TABLE} WHERE pipeline = ? AND \`key\` = ?`,
        [ref.pipeline, ref.key],
      )
      const text = rows[0]?.value
      return text === undefined ? undefined : (JSON.parse(text) as unknown)
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause
      if (cause?.code === 'ER_NO_SUCH_TABLE') return undefined
      throw e
    } finally {
      c.release()
    }
  }

  async close(): Promise<void> {
    await this.conn.close()
  }
}
