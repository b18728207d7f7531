import type { ErrorCode } from '../core/error-codes.js'

const STATUS: Partial<Record<ErrorCode, number>> = {
  E_BAD_REQUEST: 400,
  E_USAGE: 400,
  E_SELECT_INVALID: 400,
  E_DURATION_INVALID: 400,
  E_CRON_INVALID: 400,
  E_AUTH: 401,
  E_PIPELINE_UNKNOWN: 404,
  E_STATE_NOT_FOUND: 404,
  E_ROUTE_UNKNOWN: 404,
  E_STATE_CONFLICT: 409,
  E_STATE_TRANSITION: 409,
  E_RUN_NOT_RESUMABLE: 409,
  E_ENV_UNSET: 422,
  E_BACKFILL_RANGE: 422,
  E_STATE_CONNECT: 503,
  E_CIRCUIT_OPEN: 503,
}

/** Code families the pipeline raises for values a caller sent (params, templates, schema). */
const UNPROCESSABLE = /^E_(PARAM|TEMPLATE|SCHEMA)_/

/**
 * The one place that maps error codes to HTTP statuses: 400 malformed request, 401 auth,
 * 404 unknown pipeline/run/route, 409 wrong state, 422 params the pipeline rejects, 503 the state
 * store or a circuit is down, 500 everything else.
 */
export function errorStatus(code: string): number {
  const known = STATUS[code as ErrorCode]
  if (known !== undefined) return known
  return UNPROCESSABLE.test(code) ? 422 : 500
}
