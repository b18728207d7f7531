import type { ErrorCode } from '../../core/error-codes.js'
import type { SecretMask } from '../../core/secret-mask.js'
import { SluiceError } from '../../core/sluice-error.js'

const RETRYABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_SERVER_SHUTDOWN',
  'ER_QUERY_INTERRUPTED',
  'ER_CLIENT_INTERACTION_TIMEOUT',
])

/**
 * Turns a mysql2 or socket error into a SluiceError with secrets masked: connection problems,
 * deadlocks, lock wait timeouts and server shutdowns are retryable `E_NETWORK`; everything else
 * (syntax, constraint, auth, data) is a non-retryable `E_TASK_FAILED`.
 */
export function mysqlError(e: unknown, mask: SecretMask, what: string): SluiceError {
  if (e instanceof SluiceError) return e
  const err = e as { code?: unknown; message?: unknown; sqlMessage?: unknown }
  const code = typeof err.code === 'string' ? err.code : ''
  const raw =
    typeof err.sqlMessage === 'string'
      ? err.sqlMessage
      : typeof err.message === 'string'
        ? err.message
        : String(e)
  const message = mask.mask(`${what}: ${raw}${code && !raw.includes(code) ? ` (${code})` : ''}`)
  const network = RETRYABLE.has(code) || /connection lost|closed state|timeout/i.test(raw)
  const sluiceCode: ErrorCode = network ? 'E_NETWORK' : 'E_TASK_FAILED'
  return new SluiceError(sluiceCode, message, { retryable: network, cause: e })
}
