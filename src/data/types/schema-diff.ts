import type { Column, ColumnType, TableSchema } from '../column-type.js'
import { formatColumnType } from './format-column-type.js'
import { widenType } from './widen-type.js'

export interface TypeChange {
  readonly name: string
  readonly from: ColumnType
  readonly to: ColumnType
}

export interface NullabilityChange {
  readonly name: string
  readonly from: boolean
  readonly to: boolean
}

export interface SchemaDiff {
  /** Columns only in the new schema, in its order. */
  readonly added: readonly Column[]
  /** Columns only in the old schema, in its order. */
  readonly removed: readonly Column[]
  /** Columns whose new type is a lossless widening of the old one (widenType(from, to) = to). */
  readonly widened: readonly TypeChange[]
  /** Columns whose type changed any other way: narrowed, or a different family. */
  readonly changed: readonly TypeChange[]
  readonly nullability: readonly NullabilityChange[]
  /** No `changed` entries: every common column can be widened in place to its new type. */
  readonly compatible: boolean
}

const sameType = (a: ColumnType, b: ColumnType): boolean =>
  formatColumnType(a) === formatColumnType(b)

/**
 * Compares two schemas by column name (exact, case-sensitive; order is ignored). Additions,
 * removals and nullability changes do not affect `compatible`; what to do with them is a policy
 * question (see evolveSchema).
 */
export function schemaDiff(oldSchema: TableSchema, newSchema: TableSchema): SchemaDiff {
  const oldByName = new Map(oldSchema.columns.map((c) => [c.name, c]))
  const newNames = new Set(newSchema.columns.map((c) => c.name))
  const added: Column[] = []
  const widened: TypeChange[] = []
  const changed: TypeChange[] = []
  const nullability: NullabilityChange[] = []
  for (const col of newSchema.columns) {
    const prev = oldByName.get(col.name)
    if (prev === undefined) {
      added.push(col)
      continue
    }
    if (!sameType(prev.type, col.type)) {
      const w = widenType(prev.type, col.type)
      const change = { name: col.name, from: prev.type, to: col.type }
      if (w !== undefined && sameType(w, col.type)) widened.push(change)
      else changed.push(change)
    }
    if (prev.nullable !== col.nullable) {
      nullability.push({ name: col.name, from: prev.nullable, to: col.nullable })
    }
  }
  const removed = oldSchema.columns.filter((c) => !newNames.has(c.name))
  return { added, removed, widened, changed, nullability, compatible: changed.length === 0 }
}
