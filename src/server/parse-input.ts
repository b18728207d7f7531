import type { z } from 'zod'
import { SluiceError } from '../core/sluice-error.js'

/**
 * Validates request input (query, path or body) with a zod schema; a mismatch is an E_BAD_REQUEST
 * (400) listing every problem as `field: message`.
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: string,
): z.output<S> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const problems = result.error.issues.map((i) => {
    const path = i.path.map(String).join('.')
    return path === '' ? i.message : `${path}: ${i.message}`
  })
  throw new SluiceError('E_BAD_REQUEST', `invalid ${where}: ${problems.join('; ')}`, {
    hint: 'see docs/api.md for the fields each route accepts',
  })
}
