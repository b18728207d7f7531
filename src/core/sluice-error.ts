import { ERROR_CODES, type ErrorCode } from './error-codes.js'
import { formatLocation, type SourceLocation } from './source-location.js'

export interface SluiceErrorOptions {
  /** Overrides the code's default. */
  readonly retryable?: boolean
  /** What the user can do about it. */
  readonly hint?: string
  readonly location?: SourceLocation
  readonly task?: string
  readonly row?: number
  /** Seconds the caller should wait before retrying (HTTP Retry-After and the like). */
  readonly retryAfterMs?: number
  readonly cause?: unknown
}

/**
 * The root of every error sluice throws. It carries a stable `code`, a `retryable` flag the engine
 * reads to decide whether another attempt can help, and where it happened.
 */
export class SluiceError extends Error {
  override readonly name: string = 'SluiceError'
  readonly code: ErrorCode
  readonly retryable: boolean
  readonly hint: string | undefined
  readonly location: SourceLocation | undefined
  readonly task: string | undefined
  readonly row: number | undefined
  readonly retryAfterMs: number | undefined

  constructor(code: ErrorCode, message: string, options: SluiceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.retryable = options.retryable ?? ERROR_CODES[code].retryable
    this.hint = options.hint
    this.location = options.location
    this.task = options.task
    this.row = options.row
    this.retryAfterMs = options.retryAfterMs
  }

  /** One line: `file:line:col error CODE message (task x, row n); hint`. */
  toLine(): string {
    const where = this.location ? formatLocation(this.location) : ''
    const ctx = [this.task && `task ${this.task}`, this.row !== undefined && `row ${this.row}`]
      .filter(Boolean)
      .join(', ')
    return [
      where && `${where} `,
      `error ${this.code} ${this.message}`,
      ctx && ` (${ctx})`,
      this.hint && `; ${this.hint}`,
    ]
      .filter(Boolean)
      .join('')
  }
}

export function isSluiceError(e: unknown): e is SluiceError {
  return e instanceof SluiceError
}
