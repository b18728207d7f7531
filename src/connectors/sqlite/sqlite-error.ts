import type { SecretMask } from '../../core/secret-mask.js'
import { SluiceError } from '../../core/sluice-error.js'

/**
 * Turns a better-sqlite3 error into a SluiceError: a busy or locked database is a retryable
 * `E_NETWORK` (like a deadlock elsewhere); everything else is a non-retryable `E_TASK_FAILED`.
 */
export function sqliteError(e: unknown, mask: SecretMask, what: string): SluiceError {
  if (e instanceof SluiceError) return e
  const err = e as { code?: unknown; message?: unknown }
  const code = typeof err.code === 'string' ? err.code : ''
  const raw = typeof err.message === 'string' ? err.message : String(e)
  const busy = code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')
  const message = mask.mask(`${what}: ${raw}${code && !raw.includes(code) ? ` (${code})` : ''}`)
  return new SluiceError(busy ? 'E_NETWORK' : 'E_TASK_FAILED', message, {
    retryable: busy,
    cause: e,
  })
}
