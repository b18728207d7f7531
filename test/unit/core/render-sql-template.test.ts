import { describe, expect, it } from 'vitest'
import { renderSqlTemplate } from '../../../src/core/template/render-sql-template.js'
import type { TemplateScope } from '../../../src/core/template/render-template.js'

const secrets: string[] = []
const scope: TemplateScope = {
  lookup: (path) => {
    const vars: Record<string, unknown> = {
      'params.n': 5,
      'params.ids': [1, 2],
      'params.empty': '',
    }
    const k = path.join('.')
    return Object.hasOwn(vars, k) ? { found: true, value: vars[k] } : { found: false }
  },
  env: (name) => (name === 'PW' ? 'hunter22' : undefined),
  secret: (v) => secrets.push(v),
  envUnset: 'error',
}
const refs = (id: string) =>
  id === 'a' ? { ok: true as const, sql: '"a"' } : { ok: false as const, message: `no ${id}` }

describe('renderSqlTemplate', () => {
  it('joins every value as text (a lone {{ }} too), resolves ref() and ${env:…}', () => {
    expect(renderSqlTemplate('{{ params.n }}', scope, refs)).toEqual({ value: '5', problems: [] })
    const r = renderSqlTemplate(
      "select {{ params.ids | json }} from {{ ref('a') }} where p = '${env:PW}'{{ params.empty }}",
      scope,
      refs,
    )
    expect(r).toEqual({ value: `select [1,2] from "a" where p = 'hunter22'`, problems: [] })
    expect(secrets).toContain('hunter22')
  })

  it('text without templates comes back unchanged; an empty text too', () => {
    expect(renderSqlTemplate("select '{' || '}'", scope, refs).value).toBe("select '{' || '}'")
    expect(renderSqlTemplate('', scope, refs)).toEqual({ value: '', problems: [] })
  })

  it('problems carry offsets into the original text, in order', () => {
    const text = "x {{ params.m }} {{ ref('b') }} ${env:NOPE} {{ ref( }} {{ oops"
    const r = renderSqlTemplate(text, scope, refs)
    expect(r.problems.map((p) => [p.code, p.offset])).toEqual([
      ['E_PARAM_UNDECLARED', text.indexOf('{{ params.m')],
      ['E_INPUT_INVALID', text.indexOf("{{ ref('b')")],
      ['E_ENV_UNSET', text.indexOf('${env')],
      ['E_TEMPLATE_SYNTAX', text.indexOf('{{ ref( ')],
      ['E_TEMPLATE_SYNTAX', text.indexOf('{{ oops')],
    ])
    expect(r.problems[1]!.message).toBe('no b')
  })
})
