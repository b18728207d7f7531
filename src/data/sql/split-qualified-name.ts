import { SluiceError } from '../../core/sluice-error.js'

export interface QualifiedNameRules {
  /** Characters that may quote a part (doubled inside it). Default `"`. */
  readonly quotes?: string
  /** Most parts allowed (`db.schema.table` = 3). Default 2. */
  readonly maxParts?: number
  /** What the qualifier is called in messages: `schema` or `database`. Default `schema`. */
  readonly qualifier?: string
}

/**
 * Splits `schema.table` (or `database.table`) into its parts. A part may be quoted to hold dots
 * or quotes (`"my.schema"."Order ""x"""`); unquoted parts are taken literally (case kept).
 */
export function splitQualifiedName(name: string, rules: QualifiedNameRules = {}): string[] {
  const quotes = rules.quotes ?? '"'
  const maxParts = rules.maxParts ?? 2
  const parts: string[] = []
  let i = 0
  const bad = (): never => {
    throw new SluiceError('E_SCHEMA_VALUE', `invalid table name ${JSON.stringify(name)}`, {
      hint: `write table or ${rules.qualifier ?? 'schema'}.table; quote a part with ${quotes[0]}…${quotes[0]} when it holds a dot`,
    })
  }
  while (i <= name.length) {
    let part = ''
    const q = name[i]
    if (q !== undefined && quotes.includes(q)) {
      i++
      for (;;) {
        if (i >= name.length) bad()
        if (name[i] === q) {
          if (name[i + 1] === q) {
            part += q
            i += 2
            continue
          }
          i++
          break
        }
        part += name[i]
        i++
      }
    } else {
      const end = name.indexOf('.', i)
      part = name.slice(i, end === -1 ? name.length : end)
      if ([...quotes].some((c) => part.includes(c))) bad()
      i = end === -1 ? name.length : end
    }
    if (part === '') bad()
    parts.push(part)
    if (i >= name.length) break
    if (name[i] !== '.') bad()
    i++
    if (i >= name.length) bad()
  }
  if (parts.length === 0 || parts.length > maxParts) bad()
  return parts
}
