/** Quotes a SQL identifier for DuckDB: `a"b` → `"a""b"`. Refuses NUL, which DuckDB cannot hold. */
export function quoteIdentifier(name: string): string {
  if (name.includes('\0')) throw new Error('an identifier cannot contain a NUL character')
  return `"${name.replaceAll('"', '""')}"`
}
