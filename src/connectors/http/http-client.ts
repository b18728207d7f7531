import { parseDuration } from '../../core/duration.js'
import { SecretMask } from '../../core/secret-mask.js'
import { SluiceError } from '../../core/sluice-error.js'
import type { ConnectionConfig } from '../../data/connector-contract.js'
import { httpAuthHeader } from './http-auth-header.js'
import { httpConnectionOptions, type HttpConnectionOptions } from './http-connection-options.js'
import { oauth2TokenCache } from './oauth2-token-cache.js'
import { parseRetryAfter } from './parse-retry-after.js'
import { sharedRateLimiter, type RateLimiter } from './rate-limiter.js'
import { sleep } from './sleep.js'

export interface HttpRequest {
  readonly method: string
  readonly url: URL
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string
  /** Overrides the connection timeout (ms). */
  readonly timeoutMs?: number
}

export interface HttpResponse {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  /** The URL answered (after redirects), credentials in the query removed. */
  readonly url: string
}

const ms = (d: string | number | undefined, dflt: number): number =>
  d === undefined ? dflt : (parseDuration(d) ?? dflt)

/** A 5xx worth another try (not 501 Not Implemented or 505 Version Not Supported). */
const retryableStatus = (s: number): boolean => s === 429 || (s >= 500 && s !== 501 && s !== 505)

/**
 * Requests on one `type: http` connection: connection headers and credentials (only on the
 * connection's own origin), the shared rate limit, a timeout per request (body included), and
 * retries of 429/5xx (honouring `Retry-After`, seconds or an HTTP date) and of network errors —
 * a connection dropped mid-body too — with exponential backoff and full jitter. Bodies are read
 * whole (one page or one batch). Secrets never appear in errors or logs.
 */
export class HttpClient {
  readonly name: string
  readonly base: string
  readonly mask = new SecretMask()
  readonly options: HttpConnectionOptions
  private readonly origin: string
  private readonly limiter: RateLimiter | undefined
  private readonly timeoutMs: number
  private readonly maxAttempts: number
  private readonly initialDelay: number
  private readonly maxDelay: number
  private readonly maxRetryAfter: number
  private warnedOrigin = false

  constructor(conn: ConnectionConfig) {
    this.name = conn.name
    this.base = conn.url
    const parsed = httpConnectionOptions.safeParse(conn.options)
    if (!parsed.success)
      throw new SluiceError(
        'E_SCHEMA_VALUE',
        `connection ${conn.name}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ')}`,
        { hint: 'see docs/connectors/http.md for the connection options' },
      )
    this.options = parsed.data
    const auth = this.options.auth
    if (auth?.type === 'bearer') this.mask.add(auth.token)
    if (auth?.type === 'basic') this.mask.add(auth.password)
    if (auth?.type === 'api_key') this.mask.add(auth.key)
    if (auth?.type === 'oauth2_client_credentials') this.mask.add(auth.client_secret)
    try {
      this.origin = new URL(conn.url).origin
    } catch {
      throw new SluiceError('E_SCHEMA_VALUE', `connection ${conn.name}: url is not a valid URL`, {
        hint: 'write url: https://api.example.com[/base/path]',
      })
    }
    const rl = this.options.rate_limit
    if (rl !== undefined) {
      const rps = typeof rl === 'number' ? rl : rl.requests_per_second
      const burst = typeof rl === 'number' ? 1 : (rl.burst ?? 1)
      this.limiter = sharedRateLimiter(`${conn.name} ${conn.url}`, rps, burst)
    }
    const r = this.options.retries ?? {}
    this.timeoutMs = ms(this.options.timeout, 30_000)
    this.maxAttempts = r.max_attempts ?? 5
    this.initialDelay = ms(r.initial_delay, 500)
    this.maxDelay = ms(r.max_delay, 30_000)
    this.maxRetryAfter = ms(r.max_retry_after, 300_000)
  }

  /** A URL safe to show: credentials in the query masked. */
  show(url: URL | string): string {
    return this.mask.mask(String(url))
  }

  /**
   * Sends `req`, retrying 429/5xx and network errors; returns the final response, whatever its
   * status (a 4xx is for the caller to judge; `statusError` makes the error).
   */
  async send(
    req: HttpRequest,
    signal: AbortSignal,
    log: (text: string) => void,
  ): Promise<HttpResponse> {
    const timeoutMs = req.timeoutMs ?? this.timeoutMs
    let reauthorised = false
    for (let attempt = 1; ; attempt++) {
      if (this.limiter) await this.limiter.acquire(signal)
      const url = new URL(req.url)
      const headers: Record<string, string> = { accept: 'application/json' }
      const own = url.origin === this.origin
      if (own) {
        for (const [k, v] of Object.entries(this.options.headers ?? {}))
          headers[k.toLowerCase()] = v
        await httpAuthHeader(this.options.auth, headers, url, {
          mask: this.mask,
          signal,
          timeoutMs,
        })
      } else if (!this.warnedOrigin && this.options.auth !== undefined) {
        this.warnedOrigin = true
        log(`${url.origin} is not the origin of connection ${this.name}: sent without credentials`)
      }
      for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v
      const what = `${req.method} ${this.show(req.url)}`
      let res: Response
      let text: string
      const timeout = AbortSignal.timeout(timeoutMs)
      try {
        res = await fetch(url, {
          method: req.method,
          headers,
          ...(req.body !== undefined && { body: req.body }),
          signal: AbortSignal.any([signal, timeout]),
        })
        text = await res.text()
      } catch (e) {
        if (signal.aborted) throw new SluiceError('E_CANCELLED', `${what} cancelled`)
        const reason = timeout.aborted
          ? `timed out after ${timeoutMs} ms`
          : this.mask.mask(describeNetworkError(e))
        if (attempt >= this.maxAttempts)
          throw new SluiceError(
            'E_NETWORK',
            `${what} failed after ${attempt} attempt(s): ${reason}`,
            { hint: 'check that the server is reachable; the task is retried', cause: e },
          )
        const wait = this.backoff(attempt)
        log(`${what}: ${reason}; retry ${attempt}/${this.maxAttempts - 1} in ${wait} ms`)
        await sleep(wait, signal)
        continue
      }
      if (
        res.status === 401 &&
        own &&
        this.options.auth?.type === 'oauth2_client_credentials' &&
        !reauthorised
      ) {
        reauthorised = true
        oauth2TokenCache.invalidate(this.options.auth)
        log(`${what} answered 401: fetching a new OAuth2 token`)
        attempt--
        continue
      }
      if (retryableStatus(res.status)) {
        const retryAfter = parseRetryAfter(res.headers.get('retry-after'))
        const excerpt = this.mask.mask(text.slice(0, 200))
        if (attempt >= this.maxAttempts || (retryAfter ?? 0) > this.maxRetryAfter)
          throw new SluiceError(
            'E_NETWORK',
            `${what} answered ${res.status} after ${attempt} attempt(s): ${excerpt}`,
            {
              hint:
                retryAfter !== undefined
                  ? `the server asks to retry after ${Math.ceil(retryAfter / 1000)} s`
                  : 'the server is failing or overloaded; the task is retried',
              ...(retryAfter !== undefined && { retryAfterMs: retryAfter }),
            },
          )
        const wait = retryAfter ?? this.backoff(attempt)
        log(
          `${what} answered ${res.status}${retryAfter !== undefined ? ` (Retry-After ${Math.ceil(retryAfter / 1000)} s)` : ''}; retry ${attempt}/${this.maxAttempts - 1} in ${wait} ms`,
        )
        await sleep(wait, signal)
        continue
      }
      return { status: res.status, headers: res.headers, text, url: this.answeredUrl(req, res) }
    }
  }

  /** The error for a response that is not 2xx (401/403: E_HTTP_AUTH; else E_HTTP_STATUS). */
  statusError(req: HttpRequest, res: HttpResponse): SluiceError {
    const excerpt = this.mask.mask(res.text.slice(0, 300).trim())
    const auth = res.status === 401 || res.status === 403
    return new SluiceError(
      auth ? 'E_HTTP_AUTH' : 'E_HTTP_STATUS',
      `${req.method} ${this.show(req.url)} on connection ${this.name} answered ${res.status}${excerpt ? `: ${excerpt}` : ''}`,
      {
        hint: auth
          ? `check the auth of connection ${this.name}`
          : res.status === 404
            ? 'check the connection url and the http path'
            : 'the server refused the request; check params, headers and body',
      },
    )
  }

  /** The URL that answered (after redirects) without an API key added to its query. */
  private answeredUrl(req: HttpRequest, res: Response): string {
    if (!res.redirected || !res.url) return String(req.url)
    const url = new URL(res.url)
    const auth = this.options.auth
    if (auth?.type === 'api_key' && auth.in === 'query')
      url.searchParams.delete(auth.name ?? 'X-API-Key')
    return url.toString()
  }

  private backoff(attempt: number): number {
    const cap = Math.min(this.maxDelay, this.initialDelay * 2 ** (attempt - 1))
    return Math.round(cap / 2 + (Math.random() * cap) / 2)
  }
}

function describeNetworkError(e: unknown): string {
  if (!(e instanceof Error)) return String(e)
  const cause = e.cause instanceof Error ? `: ${e.cause.message}` : ''
  return `${e.message}${cause}`
}
