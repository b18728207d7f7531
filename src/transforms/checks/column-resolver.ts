import { SluiceError } from '../../core/sluice-error.js'
import { didYouMean } from '../../core/suggest.js'
import type { Column, TableSchema, TypeKind } from '../../data/column-type.js'
import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'

/** Finds columns for one check and quotes them; `kinds` restricts the column's logical type. */
export type ResolveColumn = (name: string, kinds?: readonly TypeKind[]) => string

/**
 * Returns a function that quotes a column name for DuckDB. With a schema it first checks that the
 * column exists (case-insensitively, as DuckDB matches names) and has an allowed type, throwing
 * E_SCHEMA_VALUE that names the check, lists the columns and suggests the closest one.
 */
export function columnResolver(
  check: string,
  schema: TableSchema | undefined,
  relation = 'the checked dataset',
): ResolveColumn {
  return (name, kinds) => {
    if (schema === undefined) return quoteIdentifier(name)
    const column = findColumn(schema, name)
    const names = schema.columns.map((c) => c.name)
    if (column === undefined) {
      const suggestion = didYouMean(name, names)
      throw new SluiceError(
        'E_SCHEMA_VALUE',
        `check ${check}: ${relation} has no column ${JSON.stringify(name)}; its columns: ${names.join(', ') || '(none)'}`,
        { hint: suggestion ?? 'name one of the listed columns' },
      )
    }
    if (kinds !== undefined && !kinds.includes(column.type.kind)) {
      throw new SluiceError(
        'E_SCHEMA_VALUE',
        `check ${check}: column ${column.name} is ${column.type.kind}, but the check needs ${kinds.join(', ')}`,
        {
          hint: `cast it in an upstream sql task, e.g. CAST(${quoteIdentifier(column.name)} AS TIMESTAMP)`,
        },
      )
    }
    return quoteIdentifier(column.name)
  }
}

function findColumn(schema: TableSchema, name: string): Column | undefined {
  return (
    schema.columns.find((c) => c.name === name) ??
    schema.columns.find((c) => c.name.toLowerCase() === name.toLowerCase())
  )
}
