/** Quotes a SQL string literal for DuckDB: `it's` → `'it''s'`. Refuses NUL. */
export function quoteLiteral(text: string): string {
  if (text.includes('\0')) throw new Error('a string literal cannot contain a NUL character')
  return `'${text.replaceAll("'", "''")}'`
}
