import type { Column, ColumnType, TableSchema, TypeKind } from '../../data/column-type.js'

type Seen = 'none' | 'boolean' | 'int' | 'float' | 'string' | 'json' | 'mixed'

function kindOf(v: unknown): Seen {
  if (v === null || v === undefined) return 'none'
  if (typeof v === 'boolean') return 'boolean'
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float'
  if (typeof v === 'string') return 'string'
  return 'json'
}

function merge(a: Seen, b: Seen): Seen {
  if (a === 'none') return b
  if (b === 'none' || a === b) return a
  if ((a === 'int' && b === 'float') || (a === 'float' && b === 'int')) return 'float'
  if (a === 'json' || b === 'json') return 'json'
  return 'mixed'
}

const TYPE: Record<Seen, TypeKind> = {
  none: 'string',
  boolean: 'boolean',
  int: 'int64',
  float: 'float64',
  string: 'string',
  json: 'json',
  mixed: 'string',
}

/** A declared `columns:` entry as a column type (`decimal` means decimal(38,9), as for files). */
export function declaredType(kind: TypeKind): ColumnType {
  return kind === 'decimal' ? { kind, precision: 38, scale: 9 } : { kind }
}

/**
 * The columns of JSON records: with `declared` (`source.columns`), exactly those, in that order;
 * otherwise the top-level keys of `records` in first-seen order, typed from their values
 * (integers → int64, other numbers → float64, booleans, strings; objects and arrays → json; a
 * key with mixed scalars → string; only nulls → string).
 */
export function inferJsonSchema(
  records: readonly unknown[],
  declared?: Readonly<Record<string, TypeKind>>,
): TableSchema {
  if (declared !== undefined)
    return {
      columns: Object.entries(declared).map(([name, kind]) => ({
        name,
        type: declaredType(kind),
        nullable: true,
      })),
    }
  const seen = new Map<string, Seen>()
  for (const r of records) {
    if (r === null || typeof r !== 'object' || Array.isArray(r)) continue
    for (const [k, v] of Object.entries(r)) seen.set(k, merge(seen.get(k) ?? 'none', kindOf(v)))
  }
  const columns: Column[] = [...seen].map(([name, s]) => ({
    name,
    type: { kind: TYPE[s] } as ColumnType,
    nullable: true,
  }))
  return { columns }
}
