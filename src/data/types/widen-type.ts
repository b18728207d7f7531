import type { ColumnType } from '../column-type.js'

const MAX_PRECISION = 38
/** Decimal digits needed for every value of the integer types. */
const INT_DIGITS = { int32: 10, int64: 19 } as const
const TEMPORAL = ['date', 'timestamp', 'timestamptz'] as const

type Numeric = { readonly rank: 0 | 1 | 2; readonly int: number; readonly scale: number }

function numeric(t: ColumnType): Numeric | undefined {
  switch (t.kind) {
    case 'int32':
    case 'int64':
      return { rank: 0, int: INT_DIGITS[t.kind], scale: 0 }
    case 'decimal':
      return { rank: 1, int: t.precision - t.scale, scale: t.scale }
    case 'float64':
      return { rank: 2, int: 0, scale: 0 }
    default:
      return undefined
  }
}

/**
 * The least common supertype of two column types under automatic widening (DESIGN.md §2), or
 * undefined when the two have no common type short of a lossy or meaning-changing conversion
 * (binary + int32, boolean + date, json + int64 …).
 *
 * - Same type: itself.
 * - Numbers: int32 < int64 < decimal < float64. Integers and decimals combine into the decimal that
 *   keeps the most integer digits and the most fraction digits of both (int32 counts as 10 integer
 *   digits, int64 as 19). Only when that needs more than 38 digits, or when one side is float64,
 *   is the result float64. float64 is the top of the numeric family because DESIGN.md lists
 *   int64→float64 as automatic; it is approximate, so castValue refuses any value float64 cannot
 *   hold exactly (an int64 beyond 2^53, a 20-digit decimal) instead of rounding it silently.
 * - Time: date < timestamp < timestamptz (a date is midnight UTC; timestamp is UTC by convention).
 * - Anything with string: string (every value has a canonical text form).
 *
 * Commutative and idempotent; associative within a family (numbers, time) and for any triple
 * that contains string. Across families it is partial: (binary + int32) + string is undefined
 * while binary + (int32 + string) is string, because both the string top and the undefined pairs
 * were asked for. Fold with a fallback to string (as inferColumnType does) to stay order-free.
 */
export function widenType(a: ColumnType, b: ColumnType): ColumnType | undefined {
  if (a.kind === 'string' || b.kind === 'string') return { kind: 'string' }
  const na = numeric(a)
  const nb = numeric(b)
  if (na && nb) {
    const rank = Math.max(na.rank, nb.rank)
    if (rank === 2) return { kind: 'float64' }
    const int = Math.max(na.int, nb.int)
    const scale = Math.max(na.scale, nb.scale)
    if (rank === 0) return { kind: int > INT_DIGITS.int32 ? 'int64' : 'int32' }
    if (int + scale > MAX_PRECISION) return { kind: 'float64' }
    return { kind: 'decimal', precision: int + scale, scale }
  }
  const ta = (TEMPORAL as readonly string[]).indexOf(a.kind)
  const tb = (TEMPORAL as readonly string[]).indexOf(b.kind)
  const temporal = ta >= 0 && tb >= 0 ? TEMPORAL[Math.max(ta, tb)] : undefined
  if (temporal !== undefined) return { kind: temporal }
  if (a.kind === b.kind) return a
  return undefined
}
