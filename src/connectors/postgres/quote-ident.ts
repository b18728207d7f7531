import { SluiceError } from '../../core/sluice-error.js'

/** Always double-quotes an identifier (case and any character kept; `"` doubled). */
export function quoteIdent(name: string): string {
  if (name === '' || name.includes('\0'))
    throw new SluiceError('E_SCHEMA_VALUE', `invalid SQL identifier ${JSON.stringify(name)}`)
  return `"${name.replace(/"/g, '""')}"`
}
