import { SluiceError } from '../../core/sluice-error.js'

/**
 * Splits `schema.table` into its parts. A part may be double-quoted to hold dots or quotes
 * (`"my.schema"."Order ""x"""`); unquoted parts are taken literally (case kept).
 */
export function splitQualifiedName(name: string): string[] {
  const parts: string[] = []
  let i = 0
  const bad = (): never => {
    throw new SluiceError('E_SCHEMA_VALUE', `invalid table name ${JSON.stringify(name)}`, {
      hint: 'write table or schema.table; quote a part with "…" when it holds a dot',
    })
  }
  while (i <= name.length) {
    let part = ''
    if (name[i] === '"') {
      i++
      for (;;) {
        if (i >= name.length) bad()
        if (name[i] === '"') {
          if (name[i + 1] === '"') {
            part += '"'
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
      if (part.includes('"')) bad()
      i = end === -1 ? name.length : end
    }
    if (part === '') bad()
    parts.push(part)
    if (i >= name.length) break
    if (name[i] !== '.') bad()
    i++
    if (i >= name.length) bad()
  }
  if (parts.length === 0 || parts.length > 3) bad()
  return parts
}
