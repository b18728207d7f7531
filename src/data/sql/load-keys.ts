import { SluiceError } from '../../core/sluice-error.js'
import type { WriteContext } from '../connector-contract.js'

/**
 * The key columns of a load into `table`: the task's keys, else the destination's; `merge`
 * needs some, and each must be an incoming column (names compared case-insensitively).
 */
export function loadKeys(
  ctx: WriteContext,
  configured: readonly string[] | undefined,
  table: string,
): string[] {
  const keys = [...(ctx.keys ?? configured ?? [])]
  if (ctx.mode === 'merge' && keys.length === 0)
    throw new SluiceError('E_SCHEMA_VALUE', `mode merge into ${table} needs keys`, {
      hint: 'add keys: [id] to the destination',
    })
  const names = new Set(ctx.schema.columns.map((c) => c.name.toLowerCase()))
  for (const k of keys)
    if (!names.has(k.toLowerCase()))
      throw new SluiceError('E_SCHEMA_VALUE', `key ${JSON.stringify(k)} is not an incoming column`)
  return keys
}

/** Whether two key lists name the same columns, in any order and case. */
export function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  const x = a.map((s) => s.toLowerCase()).sort()
  const y = b.map((s) => s.toLowerCase()).sort()
  return x.length === y.length && x.every((s, i) => s === y[i])
}
