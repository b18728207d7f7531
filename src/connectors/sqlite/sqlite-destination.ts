import type Database from 'better-sqlite3'
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
import { quoteSqliteIdent as q } from './quote-sqlite-ident.js'
import { readSqliteTable, type SqliteTable } from './read-sqlite-table.js'
import { SqliteConnection } from './sqlite-connection.js'
import {
  sqliteDestinationOptions,
  type SqliteDestinationOptions,
} from './sqlite-destination-options.js'
import { sqliteError } from './sqlite-error.js'
import { sqlSchemaDiff } from '../../data/sql/sql-schema-diff.js'
import { sqliteTableName, type SqliteTableName } from './sqlite-table-name.js'
import { sqliteTypes } from './sqlite-types.js'

const STATE_TABLE = '"_sluice_state"'

function jsonText(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x))
}

/**
 * Loads batches into a SQLite table inside one `BEGIN IMMEDIATE` transaction: DDL (create,
 * ADD COLUMN, the DROP of `replace`), the DELETE of `truncate_insert`, the rows through one
 * prepared INSERT (`ON CONFLICT (keys) DO UPDATE` for merge) and the watermark row in
 * `_sluice_state`. SQLite's DDL is transactional, so a failure anywhere, including a throw from
 * the batch iterator, leaves the database exactly as it was. With `ctx.rejects`, rows the table
 * refuses (constraint violations; type mismatches in STRICT tables) are set aside one by one.
 */
export class SqliteDestination implements Destination {
  private readonly conn: SqliteConnection
  private readonly options: SqliteDestinationOptions

  constructor(conn: ConnectionConfig, options: Readonly<Record<string, unknown>>) {
    const parsed = sqliteDestinationOptions.safeParse(options)
    if (!parsed.success)
      throw new SluiceError(
        'E_SCHEMA_VALUE',
        `destination on ${conn.name}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
      )
    this.options = parsed.data
    this.conn = new SqliteConnection(conn)
  }

  async write(ctx: WriteContext, batches: AsyncIterable<RowBatch>): Promise<WriteResult> {
    const name = sqliteTableName(this.options.table)
    const mode = ctx.mode
    const keys = loadKeys(ctx, this.options.keys, name.sql)
    const db = await this.conn.db()
    try {
      db.exec('BEGIN IMMEDIATE')
      try {
        let table = mode === 'replace' ? undefined : readSqliteTable(db, name)
        let columns = ctx.schema.columns
        if (mode === 'replace') db.exec(`DROP TABLE IF EXISTS ${name.sql}`)
        if (!table) {
          if (this.options.create === false && mode !== 'replace')
            throw new SluiceError('E_TASK_FAILED', `table ${name.sql} does not exist`, {
              retryable: false,
              hint: 'create it, or drop create: false',
            })
          db.exec(this.createSql(name, columns, keys))
          table = readSqliteTable(db, name)!
        } else {
          columns = this.evolve(db, ctx, name, table)
          if (columns !== ctx.schema.columns) table = readSqliteTable(db, name)!
        }
        if (mode === 'truncate_insert') db.exec(`DELETE FROM ${name.sql}`)
        const upsertable = keys.length > 0 && table.uniqueKeys.some((u) => sameKeys(u, keys))
        const setAside: RejectedRecord[] = []
        const rowsWritten = await this.load(db, ctx, name, columns, batches, {
          merge: mode === 'merge',
          upsertable,
          keys,
          setAside,
        })
        if (ctx.watermark) this.saveWatermark(db, ctx.watermark)
        db.exec('COMMIT')
        ctx.log(`loaded ${rowsWritten} rows into ${name.sql} (${mode})`)
        if (setAside.length > 0) ctx.log(`set aside ${setAside.length} rows the table refused`)
        return {
          rowsWritten,
          rowsRejected: setAside.length,
          ...(ctx.rejects && { rejected: setAside }),
        }
      } catch (e) {
        if (db.inTransaction) db.exec('ROLLBACK')
        throw e
      }
    } catch (e) {
      throw sqliteError(e, this.conn.mask, `load into ${name.sql} on ${this.conn.name} failed`)
    }
  }

  private createSql(
    name: SqliteTableName,
    columns: readonly Column[],
    keys: readonly string[],
  ): string {
    const isKey = new Set(keys.map((k) => k.toLowerCase()))
    const defs = columns.map((col) => {
      const key = isKey.has(col.name.toLowerCase())
      return `${q(col.name)} ${sqliteTypes.toNative(col.type)}${key || !col.nullable ? ' NOT NULL' : ''}`
    })
    if (keys.length > 0) defs.push(`PRIMARY KEY (${keys.map(q).join(', ')})`)
    return `CREATE TABLE IF NOT EXISTS ${name.sql} (\n  ${defs.join(',\n  ')}\n)`
  }

  /** Applies schema_evolution; returns the incoming columns that will be written. */
  private evolve(
    db: Database.Database,
    ctx: WriteContext,
    name: SqliteTableName,
    table: SqliteTable,
  ): readonly Column[] {
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
    for (const col of diff.added)
      db.exec(`ALTER TABLE ${name.sql} ADD COLUMN ${q(col.name)} ${sqliteTypes.toNative(col.type)}`)
    ctx.log(`added columns to ${name.sql}: ${diff.added.map((a) => a.name).join(', ')}`)
    return [...ctx.schema.columns]
  }

  private async load(
    db: Database.Database,
    ctx: WriteContext,
    name: SqliteTableName,
    columns: readonly Column[],
    batches: AsyncIterable<RowBatch>,
    how: {
      merge: boolean
      upsertable: boolean
      keys: readonly string[]
      setAside: RejectedRecord[]
    },
  ): Promise<number> {
    const wanted = new Set(columns.map((col) => col.name))
    const isKey = new Set(how.keys.map((k) => k.toLowerCase()))
    let plan:
      | {
          schema: TableSchema
          idx: number[]
          keyIdx: number[]
          insert: Database.Statement
          del: Database.Statement | undefined
        }
      | undefined
    let total = 0
    let seen = 0
    for await (const batch of batches) {
      if (ctx.signal.aborted) throw new SluiceError('E_CANCELLED', 'load cancelled')
      if (plan?.schema !== batch.schema) {
        const idx: number[] = []
        const cols: string[] = []
        batch.schema.columns.forEach((col, i) => {
          if (wanted.has(col.name)) {
            idx.push(i)
            cols.push(col.name)
          }
        })
        let sql = `INSERT INTO ${name.sql} (${cols.map(q).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`
        if (how.merge && how.upsertable) {
          const rest = cols.filter((c) => !isKey.has(c.toLowerCase()))
          sql += ` ON CONFLICT (${how.keys.map(q).join(', ')}) DO ${
            rest.length === 0
              ? 'NOTHING'
              : `UPDATE SET ${rest.map((c) => `${q(c)} = excluded.${q(c)}`).join(', ')}`
          }`
        }
        const keyIdx = how.keys.map((k) =>
          batch.schema.columns.findIndex((col) => col.name.toLowerCase() === k.toLowerCase()),
        )
        const del =
          how.merge && !how.upsertable
            ? db.prepare(
                `DELETE FROM ${name.sql} WHERE ${how.keys.map((k) => `${q(k)} IS ?`).join(' AND ')}`,
              )
            : undefined
        plan = { schema: batch.schema, idx, keyIdx, insert: db.prepare(sql), del }
      }
      const { idx, keyIdx, insert, del } = plan
      const params = new Array<ReturnType<typeof sqliteTypes.bind>>(idx.length)
      const write = (row: readonly Value[]): void => {
        for (let j = 0; j < idx.length; j++) params[j] = sqliteTypes.bind(row[idx[j]!])
        if (del) del.run(keyIdx.map((i) => sqliteTypes.bind(row[i])))
        insert.run(params)
      }
      if (!ctx.rejects) {
        for (const row of batch.rows) write(row)
        total += batch.rows.length
        continue
      }
      // refused rows are set aside: SQLite undoes just the failed statement (a savepoint also
      // undoes the DELETE of a keyless merge)
      for (const row of batch.rows) {
        seen++
        if (del) db.exec('SAVEPOINT _sluice_row')
        try {
          write(row)
          if (del) db.exec('RELEASE _sluice_row')
          total++
        } catch (e) {
          if (del) db.exec('ROLLBACK TO _sluice_row; RELEASE _sluice_row')
          const code = (e as { code?: unknown }).code
          if (typeof code !== 'string' || !/^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG)/.test(code))
            throw e
          const reason = e instanceof Error ? e.message : String(e)
          if (how.setAside.length >= ctx.rejects.max)
            throw new SluiceError(
              'E_ROWS_REJECTED',
              `table ${name.sql} refused more than max_bad_rows (${ctx.rejects.max}) rows; row ${seen}: ${reason}`,
              { row: seen, hint: 'fix the rows, or raise max_bad_rows', cause: e },
            )
          const names = batch.schema.columns.map((col) => col.name)
          how.setAside.push({
            file: this.options.table,
            line: seen,
            reason,
            raw: jsonText(Object.fromEntries(names.map((n, j) => [n, row[j]]))),
          })
        }
      }
    }
    return total
  }

  private saveWatermark(
    db: Database.Database,
    wm: WatermarkRef & { readonly value: unknown },
  ): void {
    db.exec(
      `CREATE TABLE IF NOT EXISTS ${STATE_TABLE} (
        pipeline TEXT NOT NULL,
        "key" TEXT NOT NULL,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (pipeline, "key")
      )`,
    )
    db.prepare(
      `INSERT INTO ${STATE_TABLE} (pipeline, "key", value, updated_at)
       VALUES (?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
       ON CONFLICT (pipeline, "key") DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    ).run(wm.pipeline, wm.key, jsonText(wm.value ?? null))
  }

  async readWatermark(ref: WatermarkRef): Promise<unknown> {
    const db = await this.conn.db()
    try {
      const exists = db
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sluice_state'")
        .get()
      if (!exists) return undefined
      const row = db
        .prepare<[string, string], { value: string }>(
          `SELECT value FROM ${STATE_TABLE} WHERE pipeline = ? AND "key" = ?`,
        )
        .get(ref.pipeline, ref.key)
      return row === undefined ? undefined : (JSON.parse(row.value) as unknown)
    } catch (e) {
      throw sqliteError(e, this.conn.mask, `read watermark on ${this.conn.name} failed`)
    }
  }

  async close(): Promise<void> {
    await this.conn.close()
  }
}
