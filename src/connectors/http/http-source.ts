import { parseDuration } from '../../core/duration.js'
import { SluiceError } from '../../core/sluice-error.js'
import type { HttpSourceSpec } from '../../core/spec/http-io-schema.js'
import type { Column, TableSchema, Value } from '../../data/column-type.js'
import type {
  ConnectionConfig,
  JsonValue,
  ReadContext,
  RejectedRecord,
  Source,
} from '../../data/connector-contract.js'
import type { RowBatch } from '../../data/row-batch.js'
import { HttpClient, type HttpRequest } from './http-client.js'
import { HttpPaginator, type PageState } from './http-paginator.js'
import { httpSourceOptions, type HttpSourceOptions } from './http-source-options.js'
import { httpUrl } from './http-url.js'
import { inferJsonSchema } from './infer-json-schema.js'
import { checkJsonPath, jsonPath } from './json-path.js'
import { jsonToValue, ValueMismatch } from './json-to-value.js'
import { compareWatermark } from './compare-watermark.js'

interface Page {
  readonly state: PageState
  readonly url: string
  readonly body: unknown
  readonly headers: Headers
  readonly records: readonly unknown[]
}

interface Start {
  readonly state: PageState | undefined
  readonly schema: TableSchema
  /** The first page, when `schema` had to fetch it to infer the columns. */
  first: Page | undefined
}

interface Saved {
  readonly state: PageState
  readonly columns: readonly Column[]
}

const DEFAULT_MAX_PAGES = 100_000

/**
 * Reads JSON records from an HTTP/REST API page by page (see http-paginator.ts) into rows. The
 * columns are the declared `columns:`, else those of the first page's records (later keys that
 * are not among them are ignored, with one log line). With page checkpoints (`http.checkpoint`, on by default), after each
 * page is yielded the next page's state is saved in the task checkpoint, so a retry or resume
 * starts at the page it stopped at. It is off by default: a staged extract (its dataset) and a
 * transactional destination discard the rows of a failed attempt, so starting a retry past the
 * pages they held would lose them.
 */
export class HttpSource implements Source {
  private readonly client: HttpClient
  private readonly options: HttpSourceOptions
  private readonly http: HttpSourceSpec
  private readonly paginator: HttpPaginator
  private readonly where: string
  private started: Promise<Start> | undefined
  private since: unknown
  private max: unknown
  private readonly rejected: RejectedRecord[] = []
  /** Page checkpoints (`http.checkpoint`, default on): a staged extract resumes at the page. */
  readonly checkpoints: boolean

  constructor(conn: ConnectionConfig, options: Readonly<Record<string, unknown>>) {
    const parsed = httpSourceOptions.safeParse(options)
    if (!parsed.success)
      throw new SluiceError(
        'E_SCHEMA_VALUE',
        `source on ${conn.name}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      )
    this.options = parsed.data
    for (const key of ['table', 'query', 'path'] as const)
      if (options[key] !== undefined)
        throw new SluiceError(
          'E_SCHEMA_VALUE',
          `source on http connection ${conn.name}: \`${key}:\` is not used by http sources`,
          { hint: 'put the request under `http:` (http.path, http.params, http.records)' },
        )
    this.http = this.options.http ?? {}
    this.checkpoints = this.http.checkpoint !== false
    if (this.http.records !== undefined) checkJsonPath(this.http.records)
    const p = this.http.pagination
    if (p?.type === 'cursor') checkJsonPath(p.cursor_path)
    if (p?.type === 'next_url') checkJsonPath(p.next_url_path)
    this.client = new HttpClient(conn)
    this.where = `http source on ${conn.name}`
    this.paginator = new HttpPaginator(this.http, this.where)
  }

  async schema(ctx: ReadContext): Promise<TableSchema> {
    return (await this.begin(ctx)).schema
  }

  private begin(ctx: ReadContext): Promise<Start> {
    this.started ??= this.start(ctx)
    return this.started
  }

  private async start(ctx: ReadContext): Promise<Start> {
    const inc = this.options.incremental
    this.since = inc ? (unwrap(ctx.since) ?? inc.initial) : undefined
    const saved =
      this.http.checkpoint === false
        ? undefined
        : ((await ctx.checkpoint?.load()) as Saved | undefined)
    if (saved?.state) ctx.log(`resuming the http read at page ${saved.state.page + 1} (checkpoint)`)
    const state = saved?.state ?? this.paginator.start()
    if (this.options.columns !== undefined)
      return { state, schema: inferJsonSchema([], this.options.columns), first: undefined }
    if (saved?.columns) return { state, schema: { columns: saved.columns }, first: undefined }
    const first = await this.fetch(state, ctx)
    const schema = inferJsonSchema(first.records)
    if (schema.columns.length === 0) {
      ctx.log(
        `the first page (${this.client.show(first.url)}) has no records: no columns to infer, nothing to read (declare \`columns:\` to keep the shape of empty reads)`,
      )
      return { state, schema, first }
    }
    ctx.log(
      `columns inferred from the first page: ${schema.columns.map((c) => `${c.name} ${c.type.kind}`).join(', ')}`,
    )
    return { state, schema, first }
  }

  /** The request URL of the first page: path, params and the watermark parameter. */
  private firstUrl(): URL {
    const params: Record<string, string | number | boolean> = { ...this.http.params }
    if (
      this.http.incremental_param !== undefined &&
      this.since !== undefined &&
      this.since !== null
    )
      params[this.http.incremental_param] =
        typeof this.since === 'string' || typeof this.since === 'number'
          ? String(this.since)
          : JSON.stringify(this.since)
    return httpUrl(this.client.base, this.http.path, params)
  }

  private async fetch(state: PageState, ctx: ReadContext): Promise<Page> {
    const req: HttpRequest = {
      method: this.http.method ?? 'GET',
      url: this.paginator.url(state, this.firstUrl()),
      headers: {
        ...this.http.headers,
        ...(this.http.body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(this.http.body !== undefined && { body: JSON.stringify(this.http.body) }),
      ...(this.http.timeout !== undefined && { timeoutMs: parseDuration(this.http.timeout) }),
    }
    const res = await this.client.send(req, ctx.signal, (t) => ctx.log(t))
    if (res.status < 200 || res.status >= 300) throw this.client.statusError(req, res)
    let body: unknown = null
    if (res.text.trim() !== '') {
      try {
        body = JSON.parse(res.text)
      } catch {
        throw new SluiceError(
          'E_HTTP_RESPONSE',
          `${this.where}: ${this.client.show(res.url)} did not answer JSON (${res.headers.get('content-type') ?? 'no content-type'}): ${this.client.mask.mask(res.text.slice(0, 120))}`,
          { hint: 'check http.path and the Accept header the API needs' },
        )
      }
    }
    const matches = jsonPath(body, this.http.records ?? '$')
    const records = matches.length === 1 && Array.isArray(matches[0]) ? matches[0] : matches
    return { state, url: res.url, body, headers: res.headers, records }
  }

  async *read(ctx: ReadContext): AsyncIterable<RowBatch> {
    const start = await this.begin(ctx)
    const { schema } = start
    const cols = schema.columns
    const known = new Set(cols.map((c) => c.name))
    const incCol = this.options.incremental?.column
    if (incCol !== undefined && cols.length > 0 && !known.has(incCol))
      throw new SluiceError(
        'E_SCHEMA_VALUE',
        `${this.where}: incremental column ${JSON.stringify(incCol)} is not among the columns (${[...known].join(', ')})`,
      )
    const filterLocally =
      incCol !== undefined && this.http.incremental_param === undefined && this.since !== undefined
    if (filterLocally)
      ctx.log(
        `no http.incremental_param: every page is read and records with ${incCol} <= ${String(this.since)} are dropped`,
      )
    const batchRows = this.options.batch_size ?? ctx.batchRows
    const maxPages = this.http.max_pages ?? DEFAULT_MAX_PAGES
    const policy = this.options.on_error ?? 'fail'
    const maxBad = this.options.max_bad_rows ?? Number.POSITIVE_INFINITY
    const unknown = new Set<string>()
    let state: PageState | undefined = start.state
    let pending = start.first
    start.first = undefined
    while (state !== undefined) {
      if (ctx.signal.aborted) throw new SluiceError('E_CANCELLED', `${this.where}: read cancelled`)
      const page: Page = pending ?? (await this.fetch(state, ctx))
      pending = undefined
      let rows: Value[][] = []
      for (let i = 0; i < page.records.length; i++) {
        const rec = page.records[i]
        if (rec === null || typeof rec !== 'object' || Array.isArray(rec))
          throw new SluiceError(
            'E_HTTP_RESPONSE',
            `${this.where}: record ${i + 1} of page ${state.page + 1} is ${rec === null ? 'null' : Array.isArray(rec) ? 'an array' : typeof rec}, not an object`,
            { hint: 'point http.records at the array of record objects, e.g. $.data.items' },
          )
        const obj = rec as Record<string, unknown>
        if (incCol !== undefined) {
          const w = obj[incCol]
          if (
            filterLocally &&
            (w === null || w === undefined || compareWatermark(w, this.since) <= 0)
          )
            continue
        }
        const row = new Array<Value>(cols.length)
        let reason: string | undefined
        for (let c = 0; c < cols.length; c++) {
          const col = cols[c]!
          try {
            row[c] = jsonToValue(obj[col.name], col.type)
          } catch (e) {
            if (!(e instanceof ValueMismatch)) throw e
            reason = `column ${col.name}: ${e.message}`
            break
          }
        }
        if (reason !== undefined) {
          if (policy === 'fail')
            throw new SluiceError(
              'E_HTTP_RESPONSE',
              `${this.where}: record ${i + 1} of page ${state.page + 1} (${this.client.show(page.url)}): ${reason}`,
              {
                hint: 'declare the right type under `columns:`, or set on_error: skip | quarantine',
              },
            )
          this.rejected.push({
            file: this.client.show(page.url),
            line: i + 1,
            reason,
            raw: JSON.stringify(obj),
          })
          if (this.rejected.length > maxBad)
            throw new SluiceError(
              'E_ROWS_REJECTED',
              `${this.where}: ${this.rejected.length} bad records, more than max_bad_rows ${maxBad}`,
            )
          continue
        }
        if (this.options.columns === undefined)
          for (const k of Object.keys(obj)) if (!known.has(k)) unknown.add(k)
        if (incCol !== undefined) {
          const w = obj[incCol]
          if (
            w !== null &&
            w !== undefined &&
            (this.max === undefined || compareWatermark(w, this.max) > 0)
          )
            this.max = w
        }
        rows.push(row)
        if (rows.length >= batchRows) {
          yield { schema, rows }
          rows = []
        }
      }
      if (unknown.size > 0) {
        ctx.log(
          `ignoring keys not in the columns inferred from the first page: ${[...unknown].slice(0, 20).join(', ')}${unknown.size > 20 ? ', …' : ''} (declare them under columns: to keep them)`,
        )
        for (const k of unknown) known.add(k)
        unknown.clear()
      }
      if (rows.length > 0) yield { schema, rows }
      const next = this.paginator.next(state, page, page.records.length)
      if (next !== undefined && next.page >= maxPages)
        throw new SluiceError(
          'E_HTTP_PAGINATION_LOOP',
          `${this.where}: still more pages after max_pages ${maxPages}`,
          { hint: 'raise http.max_pages if the API really has that many pages' },
        )
      if (next !== undefined && this.checkpoints && ctx.checkpoint)
        await ctx.checkpoint.save({ state: next, columns: cols } as unknown as JsonValue)
      state = next
    }
  }

  watermark(): unknown {
    if (this.max === undefined) return this.since
    if (this.since === undefined || this.since === null) return this.max
    return compareWatermark(this.max, this.since) > 0 ? this.max : this.since
  }

  rejects(): readonly RejectedRecord[] {
    return this.rejected
  }

  async close(): Promise<void> {}
}

/** A committed watermark: the value itself, or `{ value }` (the SQL connectors' shape). */
function unwrap(since: unknown): unknown {
  if (since !== null && typeof since === 'object' && 'value' in since) return since.value
  return since ?? undefined
}
