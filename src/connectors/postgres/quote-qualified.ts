import { quoteIdent } from './quote-ident.js'
import { splitQualifiedName } from '../../data/sql/split-qualified-name.js'

/** `schema.table` → `"schema"."table"` (every part quoted; see `splitQualifiedName`). */
export function quoteQualified(name: string | readonly string[]): string {
  const parts = typeof name === 'string' ? splitQualifiedName(name, { maxParts: 3 }) : name
  return parts.map(quoteIdent).join('.')
}
