import { randomUUID } from 'node:crypto'
import { rm, stat } from 'node:fs/promises'
import { isAbsolute, resolve } from 'node:path'
import { SluiceError } from '../../core/sluice-error.js'
import type { TableSchema, TypeKind } from '../../data/column-type.js'
import type { BulkCsv, ReadContext, Source } from '../../data/connector-contract.js'
import { canStreamCsv, duckdbCsvStream } from '../../data/duckdb/duckdb-csv-stream.js'
import { DuckDBEngine, type DuckDBEngineOptions } from '../../data/duckdb/duckdb-engine.js'
import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'
import { quoteLiteral } from '../../data/duckdb/quote-literal.js'
import { DEFAULT_BATCH_ROWS, type RowBatch } from '../../data/row-batch.js'
import { fileFormat, type FileFormat } from './file-format.js'
import { fileSourceOptions, type FileSourceOptions } from './file-options.js'
import type { FileReject } from './file-reject.js'
import { requireFileFormat } from './require-file-format.js'
import { scanJsonlRejects, type JsonlScan } from './scan-jsonl-rejects.js'

export interface FileIoDeps {
  /** A shared engine (not closed by the source); without it the source opens and closes its own. */
  readonly engine?: DuckDBEngine
  readonly engineOptions?: DuckDBEngineOptions
  /** Relative paths resolve against this; default the working directory. */
  readonly baseDir?: string
}

interface Plan {
  readonly sql: string
  readonly schema: TableSchema
  readonly rejects?: { readonly errors: string; readonly scans: string }
}

const SQL_TYPE: Record<TypeKind, string> = {
  boolean: 'BOOLEAN',
  int32: 'INTEGER',
  int64: 'BIGINT',
  float64: 'DOUBLE',
  decimal: 'DECIMAL(38,9)',
  string: 'VARCHAR',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
  timestamptz: 'TIMESTAMPTZ',
  json: 'JSON',
  binary: 'BLOB',
}

function parseOptions(options: unknown): FileSourceOptions {
  const r = fileSourceOptions.safeParse(options)
  if (r.success) return r.data
  const issue = r.error.issues[0]
  throw new SluiceError(
    'E_SCHEMA_VALUE',
    `invalid file source option ${issue?.path.join('.') ?? ''}: ${issue?.message ?? r.error.message}`,
  )
}

function list(items: readonly string[]): string {
  return `[${items.map(quoteLiteral).join(', ')}]`
}

/** Reads CSV, JSON, JSONL and Parquet files (one, a list or a glob; gzip/zstd) through DuckDB. */
export class FileSource implements Source {
  readonly options: FileSourceOptions
  private engine: DuckDBEngine | undefined
  private plan: Plan | undefined
  private rejected: FileReject[] = []
  private lastSignal: AbortSignal | undefined
  private readonly streaming = new Set<Promise<void>>()
  private paths: string[]
  /** Incremental: the last file loaded, as `{ value, key: [path] }`; whether any file is new. */
  private mark: { value: string; key: string[] } | undefined
  private filesSelected = false
  /** JSONL under skip | quarantine: the lines set aside and the cleaned copies read instead. */
  private jsonl: JsonlScan | undefined
  private nothingNew = false
  private readonly format: FileFormat

  constructor(
    options: Readonly<Record<string, unknown>> | FileSourceOptions,
    private readonly deps: FileIoDeps = {},
  ) {
    this.options = parseOptions(options)
    const base = deps.baseDir ?? process.cwd()
    const raw = typeof this.options.path === 'string' ? [this.options.path] : this.options.path
    this.paths = raw.map((p) => (isAbsolute(p) ? p : resolve(base, p)))
    this.format = requireFileFormat(this.paths[0]!, this.options.format)
  }

  /** The schema `read` yields (binds the query; sniffs CSV files). */
  async schema(ctx?: ReadContext): Promise<TableSchema> {
    await this.selectFiles(ctx)
    return (await this.prepare()).schema
  }

  /**
   * Incremental reads: keep only files past the watermark, ordered by (modified time or path,
   * path). With none new, the last file stays for its schema and the read yields no rows.
   */
  private async selectFiles(ctx: ReadContext | undefined): Promise<void> {
    const inc = this.options.incremental
    if (inc === undefined || this.filesSelected) return
    this.filesSelected = true
    const engine = await this.getEngine()
    const files: { path: string; value: string }[] = []
    for (const p of this.paths) {
      const matched = /[*?[]/.test(p)
        ? (await engine.all(`SELECT file FROM glob(${quoteLiteral(p)})`)).rows.map((r) =>
            String(r[0]),
          )
        : [p]
      for (const f of matched) {
        const value = inc.column === 'modified' ? (await stat(f)).mtime.toISOString() : f
        files.push({ path: f, value })
      }
    }
    const key = (x: { path: string; value: string }) => [x.value, x.path] as const
    const after = (a: readonly [string, string], b: readonly [string, string]) =>
      a[0] > b[0] || (a[0] === b[0] && a[1] > b[1])
    files.sort((a, b) => (after(key(a), key(b)) ? 1 : after(key(b), key(a)) ? -1 : 0))
    const since = ctx?.since as { value?: unknown; key?: unknown } | undefined
    const from =
      since && typeof since.value === 'string'
        ? ([since.value, Array.isArray(since.key) ? String(since.key[0]) : ''] as const)
        : undefined
    const fresh = from === undefined ? files : files.filter((f) => after(key(f), from))
    if (files.length === 0) return // prepare reports that nothing matches
    const last = fresh[fresh.length - 1]
    this.mark = last
      ? { value: last.value, key: [last.path] }
      : from && { value: from[0], key: [from[1]] }
    this.nothingNew = fresh.length === 0
    this.paths = this.nothingNew ? [files[files.length - 1]!.path] : fresh.map((f) => f.path)
    this.plan = undefined
    ctx?.log(`incremental: ${fresh.length} new file(s) of ${files.length}`)
  }

  /** The DuckDB query this source reads: for fast paths (`DatasetStore.writeQuery`, COPY). */
  async sql(): Promise<string> {
    return (await this.prepare()).sql
  }

  /** Lines rejected by the last `read` (CSV and JSONL; with `on_error: skip | quarantine`). */
  rejects(): readonly FileReject[] {
    return this.rejected
  }

  /** `read`, but DuckDB writes the rows straight to a Parquet file (the dataset fast path). */
  async toParquet(path: string, ctx: ReadContext): Promise<number> {
    const { plan, c, end } = await this.begin(ctx)
    try {
      let rows: number
      try {
        const r = await c.runAndReadAll(
          `COPY (${plan.sql}) TO ${quoteLiteral(path)} (FORMAT parquet, COMPRESSION zstd)`,
        )
        rows = Number(r.getRows()[0]?.[0] ?? 0)
      } catch (e) {
        throw this.wrap(e)
      }
      await this.settleRejects(c, plan, ctx)
      return rows
    } finally {
      end()
    }
  }

  /** What `read` and `toParquet` share: files chosen, plan bound, a connection that aborts. */
  private async begin(ctx: ReadContext): Promise<{
    plan: Plan
    engine: DuckDBEngine
    c: Awaited<ReturnType<DuckDBEngine['connect']>>
    end: () => void
  }> {
    await this.selectFiles(ctx)
    const plan = await this.prepare()
    const engine = await this.getEngine()
    const c = await engine.connect()
    this.rejected = []
    this.lastSignal = ctx.signal
    const onAbort = (): void => c.interrupt()
    ctx.signal.addEventListener('abort', onAbort, { once: true })
    return {
      plan,
      engine,
      c,
      end: () => {
        ctx.signal.removeEventListener('abort', onAbort)
        engine.release(c)
      },
    }
  }

  /** After the rows: collect rejected lines and apply `on_error` / `max_bad_rows`. */
  private async settleRejects(
    c: Awaited<ReturnType<DuckDBEngine['connect']>>,
    plan: Plan,
    ctx: ReadContext,
  ): Promise<void> {
    if (plan.rejects) {
      this.rejected = await this.collectRejects(c, plan.rejects)
    } else if (this.jsonl) {
      if (this.jsonl.unscanned.length > 0)
        ctx.log(
          `zstd JSONL files are not scanned for malformed lines (DuckDB reads them with ignore_errors): ${this.jsonl.unscanned.join(', ')}`,
        )
      this.rejected = this.jsonl.rejects
    } else return
    this.applyPolicy(ctx)
  }

  /**
   * JSONL under `skip | quarantine`: lines that are not JSON objects are found in one pass and the
   * read goes over copies without them (DuckDB would turn them into all-NULL rows).
   */
  private async scanJsonl(): Promise<void> {
    const o = this.options
    if (this.format !== 'jsonl' || this.jsonl || this.nothingNew) return
    if (o.on_error !== 'skip' && o.on_error !== 'quarantine') return
    const tempRoot = this.deps.engineOptions?.workspaceDir
    this.jsonl = await scanJsonlRejects(await this.matchedFiles(), {
      ...(tempRoot !== undefined && { tempRoot }),
    })
    this.paths = this.jsonl.paths
  }

  /** The files the paths (and globs) match, in order. */
  private async matchedFiles(): Promise<string[]> {
    const engine = await this.getEngine()
    const out: string[] = []
    for (const p of this.paths) {
      if (!/[*?[]/.test(p)) out.push(p)
      else
        out.push(
          ...(await engine.all(`SELECT file FROM glob(${quoteLiteral(p)}) ORDER BY file`)).rows.map(
            (r) => String(r[0]),
          ),
        )
    }
    return out
  }

  async *read(ctx: ReadContext): AsyncGenerator<RowBatch> {
    const { plan, engine, c, end } = await this.begin(ctx)
    if (this.format === 'json' && this.options.on_error === 'quarantine') {
      ctx.log(
        'on_error: quarantine lists rejected lines for CSV and JSONL; a JSON array file that does not parse fails',
      )
    }
    try {
      try {
        const size =
          this.options.batch_size ?? (ctx.batchRows > 0 ? ctx.batchRows : DEFAULT_BATCH_ROWS)
        for await (const batch of engine.stream(plan.sql, size, c)) {
          ctx.signal.throwIfAborted()
          yield batch
        }
      } catch (e) {
        throw this.wrap(e)
      }
      await this.settleRejects(c, plan, ctx)
    } finally {
      end()
    }
  }

  /**
   * The fast path: DuckDB writes the rows as CSV into a named pipe (no JS row loop). Bad CSV lines
   * follow `on_error` as in `read` (checked before the stream ends); under `quarantine`, and where
   * there are no named pipes, undefined (use `read`).
   */
  async bulkCsv(ctx: ReadContext): Promise<BulkCsv | undefined> {
    if (!canStreamCsv || this.options.on_error === 'quarantine') return undefined
    const plan = await this.prepare()
    const engine = await this.getEngine()
    // DuckDB writes ordered CSV on one thread anyway; a second one mostly competes with the
    // destination's server for the cores (unless the engine is shared or the connection sets
    // `threads`).
    if (this.deps.engine === undefined && this.deps.engineOptions?.threads === undefined) {
      await engine.run('SET threads = 1')
    }
    this.rejected = []
    this.lastSignal = ctx.signal
    const csv = await duckdbCsvStream(engine, plan.sql, plan.schema, {
      signal: ctx.signal,
      wrapError: (e) => this.wrap(e),
      ...(plan.rejects && { beforeEnd: (c) => this.settleRejects(c, plan, ctx) }),
      ...(this.deps.engineOptions?.workspaceDir !== undefined && {
        tempDir: this.deps.engineOptions.workspaceDir,
      }),
    })
    if (csv === undefined) return undefined
    const closed = csv.closed.finally(() => this.streaming.delete(closed))
    this.streaming.add(closed)
    return { schema: csv.schema, stream: csv.stream }
  }

  watermark(): unknown {
    return this.mark
  }

  async close(): Promise<void> {
    // A cancelled bulk stream lets go of DuckDB shortly after the interrupt.
    await Promise.all(this.streaming)
    if (this.engine !== undefined && this.deps.engine === undefined) await this.engine.close()
    this.engine = undefined
    if (this.jsonl?.tempDir !== undefined)
      await rm(this.jsonl.tempDir, { recursive: true, force: true })
  }

  private async getEngine(): Promise<DuckDBEngine> {
    this.engine ??= this.deps.engine ?? (await DuckDBEngine.open(this.deps.engineOptions))
    return this.engine
  }

  private async prepare(): Promise<Plan> {
    if (this.plan) return this.plan
    await this.scanJsonl()
    try {
      const plan = this.format === 'csv' ? await this.prepareCsv() : await this.prepareOther()
      this.plan = this.nothingNew
        ? { schema: plan.schema, sql: `SELECT * FROM (${plan.sql}) AS _sluice_none LIMIT 0` }
        : plan
    } catch (e) {
      throw this.wrap(e)
    }
    return this.plan
  }

  private commonArgs(): string[] {
    const o = this.options
    const args: string[] = []
    if (o.compression !== undefined && o.compression !== 'auto' && this.format !== 'parquet') {
      args.push(`compression=${quoteLiteral(o.compression)}`)
    }
    if (o.filename !== undefined && o.filename !== false) args.push('filename=true')
    if (o.union_by_name === true) args.push('union_by_name=true')
    return args
  }

  /**
   * Projection: declared types (JSON, Parquet), the null token (CSV), nested values as JSON text,
   * and the name of the file name column.
   */
  private projection(
    columns: readonly { name: string; sqlType: string }[],
    declaredInReader: boolean,
    textRead: ReadonlySet<string> = new Set(),
  ): string {
    const o = this.options
    let changed = false
    const items = columns.map(({ name, sqlType }) => {
      const q = quoteIdentifier(name)
      const isFilename = o.filename !== undefined && o.filename !== false && name === 'filename'
      if (isFilename) {
        if (typeof o.filename === 'string' && o.filename !== 'filename') {
          changed = true
          return `${q} AS ${quoteIdentifier(o.filename)}`
        }
        return q
      }
      const declared = o.columns?.[name]
      if (declared !== undefined && !declaredInReader) {
        changed = true
        return `CAST(${q} AS ${SQL_TYPE[declared]}) AS ${q}`
      }
      if (textRead.has(name)) {
        // Read as text so that "" can be NULL here while text columns keep it.
        changed = true
        return `CAST(NULLIF(${q}, '') AS ${sqlType}) AS ${q}`
      }
      if (/^(STRUCT|MAP|UNION)\(|\]$/.test(sqlType)) {
        changed = true
        return `to_json(${q}) AS ${q}`
      }
      return q
    })
    return changed ? items.join(', ') : '*'
  }

  private async describe(from: string): Promise<{ name: string; sqlType: string }[]> {
    const engine = await this.getEngine()
    const { rows } = await engine.all(`DESCRIBE SELECT * FROM ${from}`)
    return rows.map((r) => ({ name: String(r[0]), sqlType: String(r[1]) }))
  }

  private async prepareCsv(): Promise<Plan> {
    const o = this.options
    const csv = o.csv ?? {}
    const tab = fileFormat(this.paths[0]!).tab
    const args = this.commonArgs()
    const delim = csv.delimiter ?? (tab ? '\t' : undefined)
    if (delim !== undefined) args.push(`delim=${quoteLiteral(delim)}`)
    if (csv.quote !== undefined) args.push(`quote=${quoteLiteral(csv.quote)}`)
    if (csv.escape !== undefined) args.push(`escape=${quoteLiteral(csv.escape)}`)
    args.push(`header=${csv.header ?? true}`)
    if (csv.skip !== undefined) args.push(`skip=${csv.skip}`)
    if (csv.encoding !== undefined) {
      const enc = { utf8: 'utf-8', latin1: 'latin-1' }[csv.encoding as string] ?? csv.encoding
      args.push(`encoding=${quoteLiteral(enc)}`)
    }
    const declared: Record<string, string> = {}
    for (const [k, v] of Object.entries(o.columns ?? {})) declared[k] = SQL_TYPE[v]
    const typesArg = (t: Record<string, string>): string[] =>
      Object.keys(t).length === 0
        ? []
        : [
            `types={${Object.entries(t)
              .map(([k, v]) => `${quoteLiteral(k)}: ${quoteLiteral(v)}`)
              .join(', ')}}`,
          ]
    // 8 MiB read buffers instead of DuckDB's 32 MiB: about 100 MB less RSS with 2 threads.
    args.push('buffer_size=8388608', 'allow_quoted_nulls=false')
    const token = csv.null
    // Sniff types with "" as NULL too (so a typed column with empty cells stays typed).
    const sniffNull = token === undefined || token === '' ? [] : [`nullstr=${list([token, ''])}`]
    const id = randomUUID().replaceAll('-', '').slice(0, 16)
    const rejects = { errors: `_sluice_rejects_${id}`, scans: `_sluice_scans_${id}` }
    const rejectArgs = [
      'store_rejects=true',
      `rejects_table=${quoteLiteral(rejects.errors)}`,
      `rejects_scan=${quoteLiteral(rejects.scans)}`,
    ]
    const paths = list(this.paths)
    const probe = `read_csv(${[paths, ...args, ...sniffNull, ...typesArg(declared), ...rejectArgs].join(', ')})`
    const columns = await this.describe(probe)
    const isFile = (name: string): boolean => o.filename !== undefined && name === 'filename'
    // "" stays "" in text columns unless `null: ""` says so; in other types it is NULL.
    const textRead = new Set<string>()
    const types = { ...declared }
    if (token === undefined) {
      const text = columns.filter((c) => c.sqlType === 'VARCHAR' && !isFile(c.name))
      if (text.length > 0) args.push(`force_not_null=${list(text.map((c) => c.name))}`)
    } else if (token === '') {
      args.push(`nullstr=''`)
    } else {
      args.push(`nullstr=${quoteLiteral(token)}`)
      // DuckDB has one null string for all columns: read typed columns as text, cast after.
      for (const c of columns) {
        if (c.sqlType === 'VARCHAR' || isFile(c.name)) continue
        textRead.add(c.name)
        types[c.name] = 'VARCHAR'
      }
    }
    const from = `read_csv(${[paths, ...args, ...typesArg(types), ...rejectArgs].join(', ')})`
    const sql = `SELECT ${this.projection(columns, true, textRead)} FROM ${from}`
    const engine = await this.getEngine()
    return { sql, schema: await engine.schemaOf(sql), rejects }
  }

  private async prepareOther(): Promise<Plan> {
    const o = this.options
    const args = this.commonArgs()
    const paths = list(this.paths)
    let from: string
    if (this.format === 'parquet') {
      from = `read_parquet(${[paths, ...args].join(', ')})`
    } else {
      args.push(`format=${quoteLiteral(this.format === 'jsonl' ? 'newline_delimited' : 'auto')}`)
      // JSONL was cleaned of bad lines (scanJsonl), except zstd files that could not be scanned
      const lenient = o.on_error === 'skip' || o.on_error === 'quarantine'
      if (lenient && (this.format === 'json' || (this.jsonl?.unscanned.length ?? 0) > 0))
        args.push('ignore_errors=true')
      from = `read_json(${[paths, ...args].join(', ')})`
    }
    const columns = await this.describe(from)
    const sql = `SELECT ${this.projection(columns, false)} FROM ${from}`
    const engine = await this.getEngine()
    return { sql, schema: await engine.schemaOf(sql) }
  }

  private async collectRejects(
    c: Awaited<ReturnType<DuckDBEngine['connect']>>,
    t: { errors: string; scans: string },
  ): Promise<FileReject[]> {
    const exists = await c.runAndReadAll(
      `SELECT count(*) FROM duckdb_tables() WHERE table_name = ${quoteLiteral(t.errors)}`,
    )
    if (Number(exists.getRows()[0]?.[0] ?? 0) === 0) return []
    const r = await c.runAndReadAll(
      `SELECT s.file_path, e.line, string_agg(e.error_message, '; ' ORDER BY e.column_idx), any_value(e.csv_line)
       FROM ${quoteIdentifier(t.errors)} e JOIN ${quoteIdentifier(t.scans)} s USING (scan_id, file_id)
       GROUP BY s.file_path, e.line ORDER BY s.file_path, e.line`,
    )
    await c.run(
      `DROP TABLE IF EXISTS ${quoteIdentifier(t.errors)}; DROP TABLE IF EXISTS ${quoteIdentifier(t.scans)}`,
    )
    return r.getRows().map((row) => ({
      file: String(row[0]),
      line: Number(row[1]),
      reason: String(row[2]),
      raw: row[3] === null ? '' : String(row[3]),
    }))
  }

  private applyPolicy(ctx: ReadContext): void {
    const bad = this.rejected
    if (bad.length === 0) return
    const policy = this.options.on_error ?? 'fail'
    const first = bad[0]!
    const where = `${first.file}:${first.line}`
    if (policy === 'fail') {
      throw new SluiceError(
        'E_TASK_FAILED',
        `bad row at ${where}: ${first.reason}${bad.length > 1 ? ` (and ${bad.length - 1} more)` : ''}`,
        {
          retryable: false,
          row: first.line,
          hint: 'fix the file, or set `on_error: skip | quarantine` with `max_bad_rows`',
        },
      )
    }
    const max = this.options.max_bad_rows
    if (max !== undefined && bad.length > max) {
      throw new SluiceError(
        'E_TASK_FAILED',
        `${bad.length} bad rows, more than max_bad_rows ${max}; first at ${where}: ${first.reason}`,
        { retryable: false, row: first.line },
      )
    }
    ctx.log(
      `${policy === 'skip' ? 'skipped' : 'quarantined'} ${bad.length} bad rows; first at ${where}`,
    )
  }

  private wrap(e: unknown): unknown {
    if (e instanceof SluiceError || (e instanceof Error && e.name === 'AbortError')) return e
    if (this.lastSignal?.aborted) return this.lastSignal.reason
    const text = e instanceof Error ? e.message : String(e)
    const line = /Line: (\d+)/.exec(text)?.[1]
    const file = /\bfile = (.+)/.exec(text)?.[1] ?? /in file "([^"]+)"/.exec(text)?.[1]
    const head = text.split('\n')[0] ?? text
    const where =
      file !== undefined ? `${file}${line !== undefined ? `:${line}` : ''}` : this.paths.join(', ')
    return new SluiceError('E_TASK_FAILED', `cannot read ${where}: ${head}`, {
      retryable: false,
      row: line === undefined ? undefined : Number(line),
      cause: e,
    })
  }
}
