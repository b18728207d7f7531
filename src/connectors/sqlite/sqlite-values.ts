import { SluiceError } from '../../core/sluice-error.js'
import type { ColumnType, Value } from '../../data/column-type.js'
import { castValue } from '../../data/types/cast-value.js'

const text = (r: unknown): string =>
  typeof r === 'string'
    ? r
    : r instanceof Uint8Array
      ? Buffer.from(r).toString('utf8')
      : typeof r === 'number' || typeof r === 'bigint' || typeof r === 'boolean'
        ? String(r)
        : JSON.stringify(r)

/**
 * A converter from what better-sqlite3 returns (with safeIntegers: INTEGER as bigint) to
 * sluice's value conventions, for a column of logical type `t`. SQLite is dynamically typed, so
 * each converter accepts any storage class and fails loudly rather than guess.
 */
export function sqliteValues(t: ColumnType): (raw: unknown) => Value {
  switch (t.kind) {
    case 'boolean':
      return (r) =>
        r === null || r === undefined
          ? null
          : typeof r === 'string'
            ? /^(1|t|true|y|yes)$/i.test(r)
            : Number(r) !== 0
    case 'int32':
      return (r) => (r === null || r === undefined ? null : Number(r))
    case 'int64':
      return (r) => {
        if (r === null || r === undefined) return null
        if (typeof r === 'bigint') return r
        if (typeof r === 'number' && Number.isInteger(r)) return BigInt(r)
        if (typeof r === 'string' && /^-?\d+$/.test(r.trim())) return BigInt(r.trim())
        throw new SluiceError('E_TASK_FAILED', `not an integer: ${JSON.stringify(text(r))}`, {
          retryable: false,
        })
      }
    case 'float64':
      return (r) => (r === null || r === undefined ? null : Number(r))
    case 'binary':
      return (r) =>
        r === null || r === undefined
          ? null
          : r instanceof Uint8Array
            ? new Uint8Array(r.buffer, r.byteOffset, r.byteLength)
            : new TextEncoder().encode(text(r))
    case 'date':
    case 'timestamp':
    case 'timestamptz':
      // stored as text in any ISO form: normalise ('…Z' in UTC for timestamptz, microseconds kept)
      return (r) => {
        if (r === null || r === undefined) return null
        const c = castValue(text(r), t)
        if (!c.ok)
          throw new SluiceError('E_TASK_FAILED', `not a ${t.kind}: ${c.reason}`, {
            retryable: false,
          })
        return c.value
      }
    default:
      return (r) => (r === null || r === undefined ? null : text(r))
  }
}
