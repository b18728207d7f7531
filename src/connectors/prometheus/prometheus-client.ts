import { parseDuration } from '../../core/duration.js'
import { SecretMask } from '../../core/secret-mask.js'
import { SluiceError } from '../../core/sluice-error.js'
import type { ConnectionConfig } from '../../data/connector-contract.js'
import {
  prometheusConnectionOptions,
  type PrometheusConnectionOptions,
} from './prometheus-connection-options.js'
import {
  prometheusApiError,
  prometheusNetworkError,
  type PrometheusCall,
} from './prometheus-error.js'

const DEFAULT_TIMEOUT_MS = 120_000

/**
 * Calls the Prometheus HTTP API (`/api/v1/…`) of one connection: basic or bearer auth, a timeout per
 * request, and every answer that is not `status: success` turned into a SluiceError naming the
 * query. Credentials in the URL (`http://user:pass@host`) become basic auth. Secrets never appear
 * in messages.
 */
export class PrometheusClient {
  readonly name: string
  private readonly base: URL
  private readonly headers: Record<string, string>
  private readonly timeoutMs: number
  private readonly secrets = new SecretMask()

  constructor(conn: ConnectionConfig) {
    const parsed = prometheusConnectionOptions.safeParse(conn.options)
    if (!parsed.success)
      throw new SluiceError(
        'E_SCHEMA_VALUE',
        `connection ${conn.name}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
      )
    const o: PrometheusConnectionOptions = parsed.data
    this.name = conn.name
    let url: URL
    try {
      url = new URL(conn.url)
    } catch {
      throw new SluiceError('E_SCHEMA_VALUE', `connection ${conn.name}: url is not a URL`, {
        hint: 'write e.g. http://127.0.0.1:9090',
      })
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new SluiceError('E_SCHEMA_VALUE', `connection ${conn.name}: url must be http(s)`)
    const user = o.username ?? decodeURIComponent(url.username)
    const password = o.password ?? decodeURIComponent(url.password)
    url.username = ''
    url.password = ''
    url.search = ''
    url.hash = ''
    if (!url.pathname.endsWith('/')) url.pathname += '/'
    this.base = url
    this.headers = { accept: 'application/json', ...o.headers }
    if (o.token !== undefined) {
      this.secrets.add(o.token)
      this.headers.authorization = `Bearer ${o.token}`
    } else if (user !== '' || password !== '') {
      const encoded = Buffer.from(`${user}:${password}`).toString('base64')
      this.secrets.add(password)
      this.secrets.add(encoded)
      this.headers.authorization = `Basic ${encoded}`
    }
    this.timeoutMs = o.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(o.timeout)!
  }

  readonly mask = (text: string): string => this.secrets.mask(text)

  /**
   * `GET` (metadata) or form `POST` (query, query_range, series: no URL length limit) of
   * `api/v1/<endpoint>`; returns the answer's `data`.
   */
  async call(
    endpoint: string,
    params: readonly (readonly [string, string])[],
    signal: AbortSignal,
    query?: string,
  ): Promise<unknown> {
    const what: PrometheusCall = {
      connection: this.name,
      endpoint,
      ...(query !== undefined && { query }),
    }
    const url = new URL(`api/v1/${endpoint}`, this.base)
    const body = new URLSearchParams(params.map(([k, v]): [string, string] => [k, v]))
    const post = endpoint !== 'metadata'
    if (!post) url.search = body.toString()
    if (signal.aborted) throw new SluiceError('E_CANCELLED', 'read cancelled')
    let res: Response
    let text: string
    try {
      res = await fetch(url, {
        method: post ? 'POST' : 'GET',
        headers: post
          ? { ...this.headers, 'content-type': 'application/x-www-form-urlencoded' }
          : this.headers,
        ...(post && { body }),
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.timeoutMs)]),
      })
      text = await res.text()
    } catch (e) {
      if (signal.aborted) throw new SluiceError('E_CANCELLED', 'read cancelled', { cause: e })
      throw prometheusNetworkError(what, e, this.mask)
    }
    let json: { status?: unknown; data?: unknown; errorType?: unknown; error?: unknown } | undefined
    try {
      json = JSON.parse(text) as typeof json
    } catch {
      json = undefined
    }
    if (res.ok && json?.status === 'success') return json.data
    const retryAfter = Number(res.headers.get('retry-after'))
    const message =
      typeof json?.error === 'string'
        ? json.error
        : text.trim().slice(0, 300) || res.statusText || 'no answer body'
    throw prometheusApiError(
      what,
      res.status,
      typeof json?.errorType === 'string' ? json.errorType : undefined,
      message,
      this.mask,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
    )
  }
}
