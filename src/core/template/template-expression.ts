export class TemplateSyntaxError extends Error {}

/** A parsed `{{ path | filter(arg) | … }}` expression. */
export interface TemplateExpression {
  readonly path: readonly string[]
  readonly filters: readonly { readonly name: string; readonly args: readonly unknown[] }[]
}

export const TEMPLATE_FILTERS = ['default', 'upper', 'lower', 'json'] as const

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/

/** Parses the inside of `{{ … }}`. Throws a message string on bad syntax. */
export function parseExpression(src: string): TemplateExpression {
  const segments = splitTopLevel(src, '|')
  const head = segments[0]!.trim()
  if (head === '') throw new TemplateSyntaxError('empty expression')
  const path = head.split('.').map((s) => s.trim())
  if (!path.every((p) => IDENT.test(p)))
    throw new TemplateSyntaxError(`"${head}" is not a variable name`)
  const filters = segments.slice(1).map((f) => {
    const m = /^\s*([A-Za-z_]\w*)\s*(?:\((.*)\))?\s*$/s.exec(f)
    if (!m) throw new TemplateSyntaxError(`cannot read filter "${f.trim()}"`)
    const args =
      m[2] === undefined || m[2].trim() === '' ? [] : splitTopLevel(m[2], ',').map(parseLiteral)
    return { name: m[1]!, args }
  })
  return { path, filters }
}

function splitTopLevel(s: string, sep: string): string[] {
  const out: string[] = []
  let quote: string | undefined
  let depth = 0
  let cur = ''
  for (const ch of s) {
    if (quote) {
      if (ch === quote) quote = undefined
    } else if (ch === '"' || ch === "'") quote = ch
    else if (ch === '(') depth++
    else if (ch === ')') depth--
    else if (ch === sep && depth === 0) {
      out.push(cur)
      cur = ''
      continue
    }
    cur += ch
  }
  if (quote) throw new TemplateSyntaxError('unterminated string')
  out.push(cur)
  return out
}

function parseLiteral(raw: string): unknown {
  const s = raw.trim()
  if (/^(['"]).*\1$/s.test(s)) return s.slice(1, -1)
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s)
  if (s === 'true' || s === 'false') return s === 'true'
  if (s === 'null' || s === 'none') return null
  if (s === '') throw new TemplateSyntaxError('empty argument')
  throw new TemplateSyntaxError(
    `argument ${s} must be a number, true/false, null or a quoted string`,
  )
}
