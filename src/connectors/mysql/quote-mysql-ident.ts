import { SluiceError } from '../../core/sluice-error.js'

/** Always backtick-quotes an identifier (any character kept; a backtick is doubled). */
export function quoteMysqlIdent(name: string): string {
  // MySQL allows U+0001..U+FFFF in identifiers (no 4-byte characters such as emoji)
  if (name === '' || name.length > 64 || /\s$/.test(name) || /[\0\uD800-\uDFFF]/.test(name))
    throw new SluiceError('E_SCHEMA_VALUE', `invalid MySQL identifier ${JSON.stringify(name)}`, {
      hint: 'names are 1-64 characters from U+0001..U+FFFF (no emoji), without trailing spaces',
    })
  return `\`${name.replace(/`/g, '``')}\``
}
