import type { ErrorCode } from '../../core/error-codes.js'
import { SluiceError } from '../../core/sluice-error.js'

/** What failed, for the message: the endpoint and the query (or selectors) it ran. */
export interface PrometheusCall {
  readonly connection: string
  readonly endpoint: string
  readonly query?: string
}

function where(call: PrometheusCall): string {
  const q = call.query === undefined ? '' : ` (query: ${call.query})`
  return `prometheus ${call.connection} ${call.endpoint}${q}`
}

/**
 * The error for a Prometheus API answer that is not a success: `bad_data`, `execution` and other
 * 4xx are `E_PROMETHEUS_QUERY` (not retryable; 429 is), 401/403 `E_PROMETHEUS_AUTH`, `timeout`,
 * `canceled`, `internal`, `unavailable` and 5xx `E_PROMETHEUS_SERVER` (retryable). `mask` hides
 * secrets in text the server echoed back.
 */
export function prometheusApiError(
  call: PrometheusCall,
  status: number,
  errorType: string | undefined,
  message: string,
  mask: (text: string) => string,
  retryAfterMs?: number,
): SluiceError {
  let code: ErrorCode
  let retryable: boolean
  let hint: string
  if (status === 401 || status === 403) {
    code = 'E_PROMETHEUS_AUTH'
    retryable = false
    hint = 'check username/password or token of the connection'
  } else if (
    errorType === 'timeout' ||
    // a deadline hit while reading storage comes back as `execution` (HTTP 422)
    (errorType === 'execution' && /deadline exceeded|timed out/i.test(message)) ||
    errorType === 'canceled' ||
    errorType === 'internal' ||
    errorType === 'unavailable' ||
    status >= 500 ||
    status === 429
  ) {
    code = 'E_PROMETHEUS_SERVER'
    retryable = true
    hint =
      code === 'E_PROMETHEUS_SERVER' &&
      /timeout|deadline|timed out/i.test(`${errorType} ${message}`)
        ? 'the query ran too long: a larger step, a smaller chunk_points or a longer timeout'
        : 'the server may recover; the task is retried'
  } else {
    code = 'E_PROMETHEUS_QUERY'
    retryable = false
    hint =
      errorType === 'execution'
        ? 'the query failed while running (too many samples?): narrow it, use a larger step or a smaller chunk_points'
        : 'fix the PromQL or the parameters; try it in the Prometheus UI'
  }
  const kind = errorType === undefined ? `HTTP ${status}` : `${errorType} (HTTP ${status})`
  return new SluiceError(code, mask(`${where(call)} failed: ${kind}: ${message}`), {
    retryable,
    hint,
    ...(retryAfterMs !== undefined && { retryAfterMs }),
  })
}

/** A request that got no answer: a timeout or a network error (retryable). */
export function prometheusNetworkError(
  call: PrometheusCall,
  e: unknown,
  mask: (text: string) => string,
): SluiceError {
  const err = e as {
    name?: unknown
    message?: unknown
    cause?: { code?: unknown; message?: unknown }
  }
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)
  const timedOut = err.name === 'TimeoutError'
  const reason = timedOut
    ? 'no answer before the connection timeout'
    : [text(err.message) ?? String(e), text(err.cause?.code) ?? text(err.cause?.message)]
        .filter((x) => x !== undefined)
        .join(': ')
  return new SluiceError('E_PROMETHEUS_SERVER', mask(`${where(call)} failed: ${reason}`), {
    retryable: true,
    hint: timedOut
      ? 'raise the connection timeout, or make each request smaller (chunk_points, step)'
      : 'is Prometheus running at the connection url?',
    cause: e,
  })
}
