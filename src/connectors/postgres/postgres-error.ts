import type { ErrorCode } from '../../core/error-codes.js'
import type { SecretMask } from '../../core/secret-mask.js'
import { SluiceError } from '../../core/sluice-error.js'

const NETWORK_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
])

/**
 * Turns a pg or socket error into a SluiceError with the password masked: connection problems,
 * deadlocks, serialization failures and server shutdowns are retryable `E_NETWORK`; a cancelled
 * statement (statement_timeout) is a retryable `E_TASK_FAILED`; everything else (syntax, constraint, auth, data) is
 * a non-retryable `E_TASK_FAILED`.
 */
export function postgresError(e: unknown, mask: SecretMask, what: string): SluiceError {
  if (e instanceof SluiceError) return e
  const err = e as { code?: unknown; message?: unknown; detail?: unknown; hint?: unknown }
  const code = typeof err.code === 'string' ? err.code : ''
  const raw = typeof err.message === 'string' ? err.message : String(e)
  const detail = typeof err.detail === 'string' ? ` (${err.detail})` : ''
  const message = mask.mask(`${what}: ${raw}${detail}`)
  let sluiceCode: ErrorCode = 'E_TASK_FAILED'
  let retryable = false
  if (
    NETWORK_ERRNO.has(code) ||
    code.startsWith('08') || // connection exception
    code.startsWith('53') || // insufficient resources
    code === '40001' || // serialization failure
    code === '40P01' || // deadlock
    code === '57P01' || // admin shutdown
    code === '57P02' ||
    code === '57P03' || // cannot connect now
    /Connection terminated|timeout expired|connection timeout/i.test(raw)
  ) {
    sluiceCode = 'E_NETWORK'
    retryable = true
  } else if (code === '57014') {
    retryable = true // statement_timeout (or a cancel): another attempt may finish in time
  }
  const hint = typeof err.hint === 'string' ? mask.mask(err.hint) : undefined
  return new SluiceError(sluiceCode, message, { retryable, cause: e, ...(hint ? { hint } : {}) })
}
