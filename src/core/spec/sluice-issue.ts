import type { ErrorCode } from '../error-codes.js'

/**
 * Zod refinements attach a sluice error code through `params.code`, so schema problems come out
 * with the same codes as the graph checks.
 */
export function coded(
  code: ErrorCode,
  message: string,
): { message: string; params: { code: ErrorCode } } {
  return { message, params: { code } }
}
