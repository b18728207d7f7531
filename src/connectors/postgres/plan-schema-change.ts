import type { Column, ColumnType, TableSchema } from '../../data/column-type.js'
import { postgresTypes } from './postgres-types.js'

/** A column of an existing table: its name and `format_type()` text. */
export interface ExistingColumn {
  readonly name: string
  readonly type: string
}

export interface SchemaChange {
  /** New columns to add (evolve). */
  readonly add: readonly Column[]
  /** Columns whose type must widen (evolve): name and new DDL type. */
  readonly widen: readonly { readonly name: string; readonly from: string; readonly to: string }[]
  /** New columns to leave out of the load (discard_columns). */
  readonly discard: readonly string[]
  /** Readable lines for what cannot be done under the policy (empty when fine). */
  readonly drift: readonly string[]
}

type Fit = { fit: 'ok' } | { fit: 'widen'; to: string } | { fit: 'no' }

function intDigits(t: ColumnType): number | undefined {
  if (t.kind === 'int32') return 10
  if (t.kind === 'int64') return 19
  if (t.kind === 'decimal') return t.precision - t.scale
  return undefined
}

function fit(targetText: string, incoming: ColumnType): Fit {
  const target = postgresTypes.fromName(targetText)
  const bare = targetText.trim().toLowerCase()
  const k = incoming.kind
  if (target.kind === 'string') return { fit: 'ok' }
  if (bare === 'numeric' || bare === 'decimal')
    return ['int32', 'int64', 'decimal', 'float64'].includes(k) ? { fit: 'ok' } : { fit: 'no' }
  if (target.kind === 'decimal') {
    const digits = intDigits(incoming)
    if (digits === undefined) return { fit: 'no' }
    const scale = incoming.kind === 'decimal' ? incoming.scale : 0
    const tDigits = target.precision - target.scale
    if (tDigits >= digits && target.scale >= scale) return { fit: 'ok' }
    const s = Math.max(scale, target.scale)
    const p = Math.max(digits, tDigits) + s
    return p <= 1000 ? { fit: 'widen', to: `numeric(${p},${s})` } : { fit: 'no' }
  }
  if (target.kind === k) return { fit: 'ok' }
  switch (target.kind) {
    case 'int64':
      if (k === 'int32') return { fit: 'ok' }
      if (k === 'float64') return { fit: 'widen', to: 'double precision' }
      if (incoming.kind === 'decimal')
        return {
          fit: 'widen',
          to: `numeric(${Math.max(19, incoming.precision - incoming.scale) + incoming.scale},${incoming.scale})`,
        }
      return { fit: 'no' }
    case 'int32':
      if (k === 'int64') return { fit: 'widen', to: 'bigint' }
      if (k === 'float64') return { fit: 'widen', to: 'double precision' }
      if (incoming.kind === 'decimal')
        return {
          fit: 'widen',
          to: `numeric(${Math.max(10, incoming.precision - incoming.scale) + incoming.scale},${incoming.scale})`,
        }
      return { fit: 'no' }
    case 'float64':
      return k === 'int32' || k === 'int64' || k === 'decimal' ? { fit: 'ok' } : { fit: 'no' }
    case 'timestamptz':
    case 'timestamp':
      return k === 'timestamp' || k === 'timestamptz' || k === 'date'
        ? { fit: 'ok' }
        : { fit: 'no' }
    default:
      return { fit: 'no' }
  }
}

/**
 * Compares the incoming schema with an existing table under a schema-evolution policy:
 * `evolve` adds new columns and widens types (int32 → int64 → float64/decimal, decimal
 * precision); `freeze` allows neither; `discard_columns` leaves new columns out and allows no
 * widening. Types that cannot hold the incoming values are drift under every policy.
 */
export function planSchemaChange(
  existing: readonly ExistingColumn[],
  incoming: TableSchema,
  policy: 'evolve' | 'freeze' | 'discard_columns',
): SchemaChange {
  const byName = new Map(existing.map((c) => [c.name, c]))
  const add: Column[] = []
  const widen: { name: string; from: string; to: string }[] = []
  const discard: string[] = []
  const drift: string[] = []
  for (const col of incoming.columns) {
    const have = byName.get(col.name)
    const want = postgresTypes.describe(col.type)
    if (!have) {
      if (policy === 'evolve') add.push(col)
      else if (policy === 'discard_columns') discard.push(col.name)
      else drift.push(`+ ${col.name} ${want}: column not in the table`)
      continue
    }
    const f = fit(have.type, col.type)
    if (f.fit === 'ok') continue
    if (f.fit === 'widen' && policy === 'evolve') {
      widen.push({ name: col.name, from: have.type, to: f.to })
      continue
    }
    drift.push(
      f.fit === 'widen'
        ? `~ ${col.name}: table has ${have.type}, data is ${want} (needs ${f.to})`
        : `! ${col.name}: table has ${have.type}, data is ${want} (incompatible)`,
    )
  }
  return { add, widen, discard, drift }
}
