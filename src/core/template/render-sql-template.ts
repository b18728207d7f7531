import { renderTemplate, type TemplateProblem, type TemplateScope } from './render-template.js'

/** What `ref('task')` resolves to: the SQL text of a relation, or why it cannot. */
export type RefResolution =
  | { readonly ok: true; readonly sql: string }
  | { readonly ok: false; readonly message: string; readonly suggestion?: string }

const BLOCK = /\{\{(.*?)\}\}|\$\{env:[A-Za-z_][A-Za-z0-9_]*\}/gs
const REF_CALL = /^\s*ref\s*\(/
const REF = /^\s*ref\s*\(\s*(?:'([^']*)'|"([^"]*)")\s*\)\s*$/

/**
 * Renders the text of a SQL task: `{{ … }}` and `${env:NAME}` as everywhere else (same scope,
 * same strict errors), plus `{{ ref('task_id') }}`, which becomes the relation `ref` returns.
 * Values are always joined as text (a SQL string is never typed). Problem offsets point into
 * `text`, so callers can turn them into file:line:col.
 */
export function renderSqlTemplate(
  text: string,
  scope: TemplateScope,
  ref: (taskId: string) => RefResolution,
): { value: string; problems: TemplateProblem[] } {
  const problems: TemplateProblem[] = []
  let out = ''
  let last = 0
  for (const m of text.matchAll(BLOCK)) {
    const offset = m.index
    out += text.slice(last, offset)
    last = offset + m[0].length
    const inner = m[1]
    if (inner !== undefined && REF_CALL.test(inner)) {
      const call = REF.exec(inner)
      const id = call?.[1] ?? call?.[2]
      if (id === undefined) {
        problems.push({
          code: 'E_TEMPLATE_SYNTAX',
          message: `in {{${inner}}}: ref() takes one quoted task id`,
          suggestion: "write {{ ref('orders') }}",
          offset,
        })
        continue
      }
      const r = ref(id)
      if (r.ok) out += r.sql
      else
        problems.push({
          code: 'E_INPUT_INVALID',
          message: r.message,
          ...(r.suggestion !== undefined && { suggestion: r.suggestion }),
          offset,
        })
      continue
    }
    const r = renderTemplate(m[0], scope)
    for (const p of r.problems) problems.push({ ...p, offset: offset + p.offset })
    if (r.problems.length === 0) out += toText(r.value)
  }
  out += text.slice(last)
  const stray = text.slice(last).indexOf('{{')
  if (stray !== -1)
    problems.push({ code: 'E_TEMPLATE_SYNTAX', message: 'unclosed "{{"', offset: last + stray })
  return { value: out, problems }
}

function toText(v: unknown): string {
  if (v === undefined || v === null) return ''
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return v.toString()
  return JSON.stringify(v)
}
