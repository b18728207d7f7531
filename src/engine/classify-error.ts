import { isSluiceError, SluiceError } from '../core/sluice-error.js'

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
])
// PostgreSQL / MySQL: serialization failure, deadlock, too many connections, admin shutdown
const RETRYABLE_SQLSTATE = new Set(['40001', '40P01', '53300', '57P01', '08006', '08001', '08003'])
const RETRYABLE_MYSQL = new Set([
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'PROTOCOL_CONNECTION_LOST',
])

/**
 * Gives any thrown value a code and a retryable flag. Network errors, timeouts, deadlocks, 429 and
 * 5xx retry; HTTP 4xx, auth and syntax errors do not; other errors from user code retry (as in
 * most orchestrators) unless they are a SluiceError that says otherwise.
 */
export function classifyError(e: unknown, task?: string): SluiceError {
  if (isSluiceError(e)) return e
  const err = e instanceof Error ? e : new Error(String(e))
  const code = (err as { code?: unknown }).code
  const status =
    (err as { status?: unknown; statusCode?: unknown }).status ??
    (err as { statusCode?: unknown }).statusCode
  if (typeof status === 'number') {
    const retryable = status === 429 || status === 408 || status >= 500
    return new SluiceError(
      retryable ? 'E_NETWORK' : 'E_TASK_FAILED',
      `HTTP ${status}: ${err.message}`,
      { retryable, task, cause: err },
    )
  }
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code))
      return new SluiceError('E_NETWORK', `${code}: ${err.message}`, {
        retryable: true,
        task,
        cause: err,
      })
    if (RETRYABLE_SQLSTATE.has(code) || RETRYABLE_MYSQL.has(code)) {
      return new SluiceError('E_NETWORK', `database ${code}: ${err.message}`, {
        retryable: true,
        task,
        cause: err,
      })
    }
    if (/^(28|42)/.test(code))
      return new SluiceError('E_TASK_FAILED', `database ${code}: ${err.message}`, {
        retryable: false,
        task,
        cause: err,
      })
  }
  return new SluiceError('E_TASK_FAILED', err.message || err.name, {
    retryable: true,
    task,
    cause: err,
  })
}
