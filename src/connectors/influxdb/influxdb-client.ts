import { parseDuration } from '../../core/duration.js'
import { SecretMask } from '../../core/secret-mask.js'
import { SluiceError } from '../../core/sluice-error.js'
import type { ConnectionConfig } from '../../data/connector-contract.js'
import {
  influxdbConnectionOptions,
  type InfluxdbConnectionOptions,
} from './influxdb-connection-options.js'
import type { InfluxPrecision } from './influxdb-time.js'

/** v1 `precision=` names (v2 takes ns/us/ms/s as they are). */
const V1_PRECISION: Record<InfluxPrecision, string> = { ns: 'n', us: 'u', ms: 'ms', s: 's' }
const MAX_RETRY_AFTER_MS = 300_000

export interface InfluxRequest {
  readonly method: 'GET' | 'POST' | 'PATCH'
  /** Path and query string after the base URL: `/write?db=x`. */
  readonly path: string
  readonly body?: string | Uint8Array | URLSearchParams
  readonly headers?: Readonly<Record<string, string>>
  readonly signal?: AbortSignal
  /** What the request does, for messages: `write to metrics`. */
  readonly what: string
  /** Builds the error of a 4xx answer other than 401/403/429 (default E_HTTP_STATUS). */
  readonly refused?: (status: number, error: string) => SluiceError
}

/** The `Retry-After` header in milliseconds: delay-seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined
  const text = header.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000)
  const at = Date.parse(text)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new SluiceError('E_CANCELLED', 'InfluxDB request cancelled'))
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(new SluiceError('E_CANCELLED', 'InfluxDB request cancelled'))
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** The `error` of an InfluxDB JSON error body (`{"error":"…"}`, v2 `{"message":"…"}`), else the text. */
export function influxErrorText(body: string): string {
  try {
    const j = JSON.parse(body) as { error?: unknown; message?: unknown }
    if (typeof j.error === 'string') return j.error
    if (typeof j.message === 'string') return j.message
  } catch {
    // not JSON
  }
  return body.trim().slice(0, 2000)
}

/**
 * HTTP access to one InfluxDB connection (v1 or v2 API) with authentication, a per-request timeout
 * and retries: 429 and 503 wait for `Retry-After` when given, other 5xx and network errors back
 * off exponentially. Secrets (token, password) travel only in the Authorization header and are
 * masked out of every message.
 */
export class InfluxClient {
  readonly name: string
  readonly options: InfluxdbConnectionOptions
  readonly version: 1 | 2
  readonly mask = new SecretMask()
  private readonly base: string
  private readonly auth: string | undefined
  private readonly timeoutMs: number
  private readonly maxAttempts: number
  private readonly initialDelayMs: number
  private readonly maxDelayMs: number

  constructor(conn: ConnectionConfig) {
    const parsed = influxdbConnectionOptions.safeParse(conn.options)
    if (!parsed.success)
      throw new SluiceError(
        'E_SCHEMA_VALUE',
        `connection ${conn.name}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
      )
    const o = parsed.data
    this.name = conn.name
    this.options = o
    this.version = o.version ?? 1
    let url: URL
    try {
      url = new URL(
        conn.url.replace(/^influxdbs?:\/\//i, (s) => (s.length > 11 ? 'https://' : 'http://')),
      )
    } catch {
      throw new SluiceError('E_SCHEMA_VALUE', `connection ${conn.name}: url is not a URL`, {
        hint: 'write e.g. url: http://127.0.0.1:8086',
      })
    }
    let username = o.username
    let password = o.password
    if (url.username !== '' || url.password !== '') {
      username ??= decodeURIComponent(url.username)
      password ??= decodeURIComponent(url.password)
      url.username = ''
      url.password = ''
    }
    this.base = url.toString().replace(/\/+$/, '')
    if (o.token) {
      this.mask.add(o.token)
      this.auth = `Token ${o.token}`
    } else if (username !== undefined && username !== '') {
      if (password) this.mask.add(password)
      this.auth = `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`
    }
    if (this.version === 1 && !o.database)
      throw new SluiceError('E_SCHEMA_REQUIRED', `connection ${conn.name}: database is required`, {
        hint: 'add database: NAME to the influxdb connection (version 1)',
      })
    if (this.version === 2 && (!o.org || !o.bucket))
      throw new SluiceError(
        'E_SCHEMA_REQUIRED',
        `connection ${conn.name}: version 2 needs org and bucket`,
        {
          hint: 'add org: and bucket: to the influxdb connection',
        },
      )
    this.timeoutMs = parseDuration(o.timeout ?? '30s') ?? 30_000
    this.maxAttempts = o.retries?.max_attempts ?? 5
    this.initialDelayMs = parseDuration(o.retries?.initial_delay ?? '500ms') ?? 500
    this.maxDelayMs = parseDuration(o.retries?.max_delay ?? '30s') ?? 30_000
  }

  /** `db` (v1) or `bucket` (v2): where points go, for messages. */
  get target(): string {
    return this.version === 1 ? this.options.database! : this.options.bucket!
  }

  /** The retention policy writes and reads use (v1). */
  get retentionPolicy(): string | undefined {
    return this.options.retention_policy ?? this.options.retention?.name
  }

  writePath(precision: InfluxPrecision): string {
    const o = this.options
    if (this.version === 2)
      return `/api/v2/write?${new URLSearchParams({ org: o.org!, bucket: o.bucket!, precision })}`
    const q = new URLSearchParams({ db: o.database!, precision: V1_PRECISION[precision] })
    const rp = this.retentionPolicy
    if (rp) q.set('rp', rp)
    return `/write?${q}`
  }

  /** Sends a request; retries what can pass on another attempt; returns the 2xx response. */
  async request(req: InfluxRequest): Promise<Response> {
    let attempt = 0
    for (;;) {
      attempt++
      let err: SluiceError
      let wait: number | undefined
      try {
        const res = await this.once(req)
        if (res.ok) return res
        const text = influxErrorText(await res.text().catch(() => ''))
        const status = res.status
        const message = this.mask.mask(`${req.what} on ${this.name}: HTTP ${status}: ${text}`)
        if (status === 429 || status >= 500) {
          wait =
            status === 429 || status === 503
              ? parseRetryAfter(res.headers.get('retry-after'))
              : undefined
          err = new SluiceError('E_NETWORK', message, {
            retryable: true,
            ...(wait !== undefined && { retryAfterMs: wait }),
          })
        } else if (status === 401 || status === 403) {
          throw new SluiceError('E_HTTP_AUTH', message, {
            hint: 'check token (v2) or username/password (v1) of the connection',
          })
        } else if (req.refused) {
          throw req.refused(status, this.mask.mask(text))
        } else {
          throw new SluiceError('E_HTTP_STATUS', message)
        }
      } catch (e) {
        if (e instanceof SluiceError) {
          if (e.code !== 'E_NETWORK') throw e
          err = e
        } else if (req.signal?.aborted) {
          throw new SluiceError('E_CANCELLED', `${req.what} on ${this.name} cancelled`)
        } else {
          const cause =
            e instanceof Error
              ? e.cause instanceof Error
                ? e.cause.message
                : e.message
              : String(e)
          err = new SluiceError(
            'E_NETWORK',
            this.mask.mask(`${req.what} on ${this.name}: ${cause}`),
            {
              retryable: true,
              cause: e,
            },
          )
        }
      }
      if (attempt >= this.maxAttempts) throw err
      const backoff = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** (attempt - 1))
      const delay =
        wait !== undefined
          ? Math.min(wait, MAX_RETRY_AFTER_MS)
          : backoff * (0.75 + Math.random() * 0.5)
      await sleep(delay, req.signal)
    }
  }

  private async once(req: InfluxRequest): Promise<Response> {
    const headers: Record<string, string> = { ...req.headers }
    if (this.auth) headers.Authorization = this.auth
    const timeout = AbortSignal.timeout(this.timeoutMs)
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout
    try {
      return await fetch(this.base + req.path, {
        method: req.method,
        headers,
        ...(req.body !== undefined && { body: req.body as NonNullable<RequestInit['body']> }),
        signal,
      })
    } catch (e) {
      if (timeout.aborted && !req.signal?.aborted)
        throw new SluiceError(
          'E_NETWORK',
          `${req.what} on ${this.name}: no answer within ${this.timeoutMs} ms`,
          {
            retryable: true,
          },
        )
      throw e
    }
  }

  /** Writes a line-protocol body (gzipped when `gzip`). */
  async write(
    body: string | Uint8Array,
    how: { precision: InfluxPrecision; gzip: boolean; signal?: AbortSignal },
    refused: (status: number, error: string) => SluiceError,
  ): Promise<void> {
    const res = await this.request({
      method: 'POST',
      path: this.writePath(how.precision),
      body,
      headers: {
        'Content-Type': 'text/plain; charset=utf-8',
        ...(how.gzip && { 'Content-Encoding': 'gzip' }),
      },
      ...(how.signal && { signal: how.signal }),
      what: `write to ${this.target}`,
      refused,
    })
    await res.arrayBuffer()
  }

  /**
   * v1: runs InfluxQL through `/query` (POST, so statements that change things work too) and
   * returns its `results`; a statement error becomes E_INFLUX_QUERY.
   */
  async influxql(
    q: string,
    opts: { db?: string; params?: Record<string, unknown>; signal?: AbortSignal } = {},
  ): Promise<InfluxqlResult[]> {
    const form = new URLSearchParams({ q })
    if (opts.db) form.set('db', opts.db)
    if (opts.params) form.set('params', JSON.stringify(opts.params))
    const res = await this.request({
      method: 'POST',
      path: '/query',
      body: form,
      ...(opts.signal && { signal: opts.signal }),
      what: 'InfluxQL query',
      refused: (status, error) =>
        new SluiceError(
          'E_INFLUX_QUERY',
          `InfluxQL on ${this.name} failed (HTTP ${status}): ${error}`,
        ),
    })
    const json = (await res.json()) as { results?: InfluxqlResult[]; error?: string }
    if (json.error)
      throw new SluiceError(
        'E_INFLUX_QUERY',
        this.mask.mask(`InfluxQL on ${this.name} failed: ${json.error}`),
      )
    const results = json.results ?? []
    for (const r of results)
      if (r.error)
        throw new SluiceError(
          'E_INFLUX_QUERY',
          this.mask.mask(`InfluxQL on ${this.name} failed: ${r.error}`),
        )
    return results
  }

  /** v2: POSTs a Flux script to /api/v2/query; the response body is annotated CSV. */
  async flux(query: string, signal?: AbortSignal): Promise<Response> {
    return this.request({
      method: 'POST',
      path: `/api/v2/query?${new URLSearchParams({ org: this.options.org ?? '' })}`,
      body: JSON.stringify({
        query,
        type: 'flux',
        dialect: { header: true, delimiter: ',', annotations: ['datatype', 'group', 'default'] },
      }),
      headers: { 'Content-Type': 'application/json', Accept: 'application/csv' },
      ...(signal && { signal }),
      what: 'Flux query',
      refused: (status, error) =>
        new SluiceError(
          'E_INFLUX_QUERY',
          `Flux query on ${this.name} failed (HTTP ${status}): ${error}`,
        ),
    })
  }
}

export interface InfluxqlSeries {
  readonly name?: string
  readonly tags?: Readonly<Record<string, string>>
  readonly columns: readonly string[]
  readonly values?: readonly (readonly unknown[])[]
}

export interface InfluxqlResult {
  readonly statement_id?: number
  readonly series?: readonly InfluxqlSeries[]
  readonly error?: string
  readonly partial?: boolean
}
