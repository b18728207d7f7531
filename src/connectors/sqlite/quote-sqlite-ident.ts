import { SluiceError } from '../../core/sluice-error.js'

/** Always double-quotes an identifier (any character kept; `"` doubled). */
export function quoteSqliteIdent(name: string): string {
  if (name === '' || name.includes('\0'))
    throw new SluiceError('E_SCHEMA_VALUE', `invalid SQLite identifier ${JSON.stringify(name)}`)
  return `"${name.replace(/"/g, '""')}"`
}
