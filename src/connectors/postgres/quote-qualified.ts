import { quoteIdent } from './quote-ident.js'
import { splitQualifiedName } from './split-qualified-name.js'

/** `schema.table` → `"schema"."table"` (every part quoted; see `splitQualifiedName`). */
export function quoteQualified(name: string | readonly string[]): string {
  const parts = typeof name === 'string' ? splitQualifiedName(name) : name
  return parts.map(quoteIdent).join('.')
}
