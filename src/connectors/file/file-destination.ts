import { randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs'
import { link, mkdir, readdir, rename, rm, unlink } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { SluiceError } from '../../core/sluice-error.js'
import type { TableSchema } from '../../data/column-type.js'
import type {
  Destination,
  WatermarkRef,
  WriteContext,
  WriteResult,
} from '../../data/connector-contract.js'
import { appendRows } from '../../data/duckdb/append-rows.js'
import { DuckDBEngine } from '../../data/duckdb/duckdb-engine.js'
import { duckdbTypeName } from '../../data/duckdb/duckdb-type-name.js'
import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'
import { quoteLiteral } from '../../data/duckdb/quote-literal.js'
import type { RowBatch } from '../../data/row-batch.js'
import { fileFormat, type FileFormat } from './file-format.js'
import { fileDestinationOptions, type FileDestinationOptions } from './file-options.js'
import type { FileIoDeps } from './file-source.js'
import { requireFileFormat } from './require-file-format.js'

type Mode = 'overwrite' | 'append' | 'error_if_exists'
type Connection = Awaited<ReturnType<DuckDBEngine['connect']>>

function parseOptions(options: unknown): FileDestinationOptions {
  const r = fileDestinationOptions.safeParse(options)
  if (r.success) return r.data
  const issue = r.error.issues[0]
  throw new SluiceError(
    'E_SCHEMA_VALUE',
    `invalid file destination option ${issue?.path.join('.') ?? ''}: ${issue?.message ?? r.error.message}`,
  )
}

function fail(message: string, hint?: string): SluiceError {
  return new SluiceError('E_TASK_FAILED', message, { retryable: false, hint })
}

async function* walkFiles(dir: string): AsyncGenerator<string> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) yield* walkFiles(p)
    else yield p
  }
}

/**
 * Writes CSV, JSON (array), JSONL or Parquet through DuckDB, atomically: rows are staged in a
 * DuckDB table, copied to a `.tmp-…` file next to the target, then renamed into place. Modes:
 * `overwrite`, `error_if_exists`, and `append` (CSV/JSONL: appended; JSON: rewritten with the old
 * rows first; Parquet: a new part file in the directory `path`). `partition_by` writes hive-style
 * `col=value/` directories.
 */
export class FileDestination implements Destination {
  readonly options: FileDestinationOptions
  private engine: DuckDBEngine | undefined
  private schema: TableSchema | undefined
  private readonly target: string
  private readonly format: FileFormat

  constructor(
    options: Readonly<Record<string, unknown>> | FileDestinationOptions,
    private readonly deps: FileIoDeps = {},
  ) {
    this.options = parseOptions(options)
    const base = deps.baseDir ?? process.cwd()
    this.target = isAbsolute(this.options.path)
      ? this.options.path
      : resolve(base, this.options.path)
    this.format = requireFileFormat(this.target, this.options.format)
  }

  private mode(ctx: WriteContext): Mode {
    const m = this.options.mode ?? ctx.mode
    if (m === 'overwrite' || m === 'append' || m === 'error_if_exists') return m
    if (m === 'replace' || m === 'truncate_insert' || m === undefined) return 'overwrite'
    throw fail(
      `a file destination cannot use mode ${m}`,
      'use overwrite, append or error_if_exists',
    )
  }

  async write(ctx: WriteContext, batches: AsyncIterable<RowBatch>): Promise<WriteResult> {
    const mode = this.mode(ctx)
    const partitioned = this.options.partition_by !== undefined
    const parquetParts = mode === 'append' && this.format === 'parquet' && !partitioned
    if (mode === 'error_if_exists' && existsSync(this.target)) {
      throw fail(`${this.target} already exists`, 'use mode: overwrite or append')
    }
    if (parquetParts && existsSync(this.target) && !statSync(this.target).isDirectory()) {
      throw fail(
        `cannot append to the Parquet file ${this.target}: appending to Parquet adds part files to a directory`,
        'give a directory as `path` (with `format: parquet`)',
      )
    }
    await mkdir(parquetParts ? this.target : dirname(this.target), { recursive: true })
    const engine = (this.engine ??=
      this.deps.engine ?? (await DuckDBEngine.open(this.deps.engineOptions)))
    const c = await engine.connect()
    const table = `_sluice_out_${randomUUID().replaceAll('-', '')}`
    const tmpDir = parquetParts ? this.target : dirname(this.target)
    const tmp = join(tmpDir, `.tmp-${randomUUID()}-${basename(this.target)}`)
    try {
      this.schema = ctx.schema
      const rows = await this.stage(c, table, ctx.schema, batches, ctx.signal)
      ctx.signal.throwIfAborted()
      const exists = existsSync(this.target)
      if (partitioned) {
        await this.copy(c, `SELECT * FROM ${table}`, tmp, true)
        await this.placeDirectory(tmp, mode)
      } else if (parquetParts) {
        await this.copy(c, `SELECT * FROM ${table}`, tmp, true)
        await rename(tmp, join(this.target, `part-${Date.now()}-${randomUUID()}.parquet`))
      } else if (mode === 'append' && exists && this.format === 'json') {
        const old = `SELECT * FROM read_json(${quoteLiteral(this.target)}, format='array')`
        await this.copy(c, `${old} UNION ALL BY NAME SELECT * FROM ${table}`, tmp, true)
        await rename(tmp, this.target)
      } else if (mode === 'append' && exists) {
        if (this.format === 'parquet') throw fail(`cannot append to ${this.target}`)
        await this.copy(c, `SELECT * FROM ${table}`, tmp, false)
        await pipeline(createReadStream(tmp), createWriteStream(this.target, { flags: 'a' }))
        await unlink(tmp)
      } else {
        await this.copy(c, `SELECT * FROM ${table}`, tmp, true)
        if (mode === 'error_if_exists') {
          try {
            await link(tmp, this.target) // fails if the target appeared meanwhile
          } catch (e) {
            throw (e as NodeJS.ErrnoException).code === 'EEXIST'
              ? fail(`${this.target} already exists`, 'use mode: overwrite or append')
              : e
          }
          await unlink(tmp)
        } else {
          await rename(tmp, this.target)
        }
      }
      return { rowsWritten: rows, rowsRejected: 0 }
    } finally {
      await rm(tmp, { recursive: true, force: true })
      await c.run(`DROP TABLE IF EXISTS ${table}`).catch(() => {})
      engine.release(c)
    }
  }

  /** Streams the batches into a DuckDB table, one batch at a time. Returns the row count. */
  private async stage(
    c: Connection,
    table: string,
    declared: TableSchema | undefined,
    batches: AsyncIterable<RowBatch>,
    signal: AbortSignal,
  ): Promise<number> {
    let schema: TableSchema | undefined
    let appender: Awaited<ReturnType<Connection['createAppender']>> | undefined
    let count = 0
    const create = async (s: TableSchema): Promise<void> => {
      if (s.columns.length === 0) throw fail(`nothing to write to ${this.target}: no columns`)
      const cols = s.columns
        .map((col) => `${quoteIdentifier(col.name)} ${duckdbTypeName(col.type)}`)
        .join(', ')
      await c.run(`CREATE TABLE ${table} (${cols})`)
      appender = await c.createAppender(table)
      schema = s
    }
    try {
      for await (const batch of batches) {
        signal.throwIfAborted()
        if (schema === undefined) {
          await create(declared && declared.columns.length > 0 ? declared : batch.schema)
        }
        appendRows(appender!, schema!, batch.rows)
        appender!.flushSync()
        count += batch.rows.length
      }
      if (schema === undefined) await create(declared ?? { columns: [] })
      appender!.closeSync()
      appender = undefined
      return count
    } finally {
      try {
        appender?.closeSync()
      } catch {
        // invalid after an error
      }
    }
  }

  private copyOptions(header: boolean): string {
    const o = this.options
    const fromExt = fileFormat(this.target).compression
    const comp = o.compression === undefined || o.compression === 'auto' ? fromExt : o.compression
    const opts: string[] = []
    if (this.format === 'csv') {
      const csv = o.csv ?? {}
      opts.push('FORMAT csv', `HEADER ${header && csv.header !== false}`)
      if (csv.delimiter !== undefined) opts.push(`DELIMITER ${quoteLiteral(csv.delimiter)}`)
      else if (fileFormat(this.target).tab) opts.push(`DELIMITER '\t'`)
      if (csv.quote !== undefined) opts.push(`QUOTE ${quoteLiteral(csv.quote)}`)
      if (csv.escape !== undefined) opts.push(`ESCAPE ${quoteLiteral(csv.escape)}`)
      if (csv.null !== undefined) opts.push(`NULLSTR ${quoteLiteral(csv.null)}`)
    } else if (this.format === 'parquet') {
      const pc =
        o.compression === undefined || o.compression === 'auto'
          ? 'zstd'
          : o.compression === 'none'
            ? 'uncompressed'
            : o.compression
      opts.push('FORMAT parquet', `COMPRESSION ${pc}`)
    } else {
      opts.push('FORMAT json')
      if (this.format === 'json') opts.push('ARRAY true')
    }
    if (this.format !== 'parquet') {
      if (comp === 'snappy') throw fail('snappy compression is only for Parquet')
      opts.push(`COMPRESSION ${quoteLiteral(comp === 'none' ? 'none' : comp)}`)
    }
    if (this.options.partition_by) {
      opts.push(`PARTITION_BY (${this.options.partition_by.map(quoteIdentifier).join(', ')})`)
      opts.push(`FILENAME_PATTERN 'part-{uuid}'`)
    }
    return opts.join(', ')
  }

  private async copy(c: Connection, sql: string, to: string, header: boolean): Promise<void> {
    await c.run(`COPY (${this.exact(sql)}) TO ${quoteLiteral(to)} (${this.copyOptions(header)})`)
  }

  /**
   * JSON readers (DuckDB's included) parse numbers as doubles, so decimals go into JSON files as
   * strings, which a declared `decimal` type reads back exactly.
   */
  private exact(sql: string): string {
    if (this.format !== 'json' && this.format !== 'jsonl') return sql
    const decimals = (this.schema?.columns ?? []).filter((col) => col.type.kind === 'decimal')
    if (decimals.length === 0) return sql
    const casts = decimals.map(
      (col) => `CAST(${quoteIdentifier(col.name)} AS VARCHAR) AS ${quoteIdentifier(col.name)}`,
    )
    return `SELECT * REPLACE (${casts.join(', ')}) FROM (${sql})`
  }

  /** Moves a partitioned output directory into place for the mode. */
  private async placeDirectory(tmp: string, mode: Mode): Promise<void> {
    if (!existsSync(tmp)) await mkdir(tmp, { recursive: true })
    if (!existsSync(this.target)) {
      await rename(tmp, this.target)
      return
    }
    if (mode === 'error_if_exists') throw fail(`${this.target} already exists`)
    if (mode === 'overwrite') {
      const trash = join(dirname(this.target), `.trash-${randomUUID()}`)
      await rename(this.target, trash)
      await rename(tmp, this.target)
      await rm(trash, { recursive: true, force: true })
      return
    }
    for await (const file of walkFiles(tmp)) {
      const to = join(this.target, relative(tmp, file))
      await mkdir(dirname(to), { recursive: true })
      await rename(file, to)
    }
  }

  readWatermark(_ref: WatermarkRef): Promise<unknown> {
    return Promise.resolve(undefined)
  }

  async close(): Promise<void> {
    if (this.engine !== undefined && this.deps.engine === undefined) await this.engine.close()
    this.engine = undefined
  }
}
