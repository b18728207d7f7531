import type { Column, ColumnType } from '../column-type.js'

/** How incoming columns differ from a table's. */
export interface SqlSchemaDiff {
  /** Incoming columns the table lacks. */
  readonly added: readonly Column[]
  /** Incoming columns whose type the table's column cannot hold. */
  readonly changed: readonly { readonly column: Column; readonly existing: ColumnType }[]
}

function typeText(t: ColumnType): string {
  return t.kind === 'decimal' ? `decimal(${t.precision},${t.scale})` : t.kind
}

/** Can a column of type `target` hold every value of type `incoming` without loss? */
function fits(target: ColumnType, incoming: ColumnType): boolean {
  if (target.kind === 'decimal') {
    const digits = target.precision - target.scale
    if (incoming.kind === 'decimal')
      return digits >= incoming.precision - incoming.scale && target.scale >= incoming.scale
    if (incoming.kind === 'boolean') return digits >= 1
    if (incoming.kind === 'int32') return digits >= 10
    if (incoming.kind === 'int64') return digits >= 19
    return false
  }
  if (target.kind === incoming.kind) return true
  switch (target.kind) {
    case 'int32':
      return incoming.kind === 'boolean'
    case 'int64':
      return incoming.kind === 'boolean' || incoming.kind === 'int32'
    case 'float64':
      return incoming.kind === 'boolean' || incoming.kind === 'int32'
    case 'string':
      return incoming.kind !== 'binary'
    case 'json':
      return incoming.kind === 'string'
    case 'timestamp':
    case 'timestamptz':
      return (
        incoming.kind === 'date' || incoming.kind === 'timestamp' || incoming.kind === 'timestamptz'
      )
    default:
      return false
  }
}

/** Compares incoming columns with a table's (names case-insensitively, as MySQL and SQLite do). */
export function sqlSchemaDiff(
  existing: readonly Column[],
  incoming: readonly Column[],
): SqlSchemaDiff & { text(): string } {
  const byName = new Map(existing.map((c) => [c.name.toLowerCase(), c]))
  const added: Column[] = []
  const changed: { column: Column; existing: ColumnType }[] = []
  for (const col of incoming) {
    const have = byName.get(col.name.toLowerCase())
    if (!have) added.push(col)
    else if (!fits(have.type, col.type)) changed.push({ column: col, existing: have.type })
  }
  return {
    added,
    changed,
    text: () =>
      [
        ...added.map((c) => `+ ${c.name} ${typeText(c.type)}`),
        ...changed.map(
          (d) => `~ ${d.column.name} ${typeText(d.existing)} -> ${typeText(d.column.type)}`,
        ),
      ].join('; '),
  }
}
