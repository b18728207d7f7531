import type { ErrorCode } from '../error-codes.js'
import { didYouMean } from '../suggest.js'
import {
  parseExpression,
  TEMPLATE_FILTERS,
  type TemplateExpression,
} from './template-expression.js'

export interface TemplateProblem {
  readonly code: ErrorCode
  readonly message: string
  readonly suggestion?: string
  /** Offset of the problem inside the rendered string. */
  readonly offset: number
}

export interface TemplateScope {
  /** Looks up a dotted path; `found: false` when it does not exist. */
  lookup(
    path: readonly string[],
  ): { found: true; value: unknown } | { found: false; suggestion?: string }
  /** Value of ${env:NAME}; undefined when unset. */
  env(name: string): string | undefined
  /** Called with every env value substituted, so it can be masked wherever it is printed. */
  secret(value: string): void
  /** How to treat an unset env variable. */
  readonly envUnset: 'error' | 'warning'
}

const TEMPLATE = /\{\{(.*?)\}\}|\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/gs

export function hasTemplate(text: string): boolean {
  return text.includes('{{') || text.includes('${env:')
}

/**
 * Renders `{{ expr }}` and `${env:NAME}` in a string. A string that is exactly one `{{ }}`
 * keeps the value's type (a number stays a number); otherwise values are joined as text.
 */
export function renderTemplate(
  text: string,
  scope: TemplateScope,
): { value: unknown; problems: TemplateProblem[] } {
  const problems: TemplateProblem[] = []
  if (!hasTemplate(text)) return { value: text, problems }
  const whole = /^\{\{(.*?)\}\}$/s.exec(text)
  if (whole && !whole[1]!.includes('}}')) {
    const value = evalExpr(whole[1]!, 0, scope, problems)
    // on a problem keep the text, so one bad template is one error (not also "missing key")
    return { value: value === undefined && problems.length > 0 ? text : value, problems }
  }
  const out = text.replace(
    TEMPLATE,
    (_m, expr: string | undefined, envName: string | undefined, offset: number) => {
      if (envName !== undefined) return envValue(envName, offset, scope, problems)
      const v = evalExpr(expr!, offset, scope, problems)
      return toText(v)
    },
  )
  const stray = out.indexOf('{{')
  if (stray !== -1 && problems.length === 0) {
    problems.push({ code: 'E_TEMPLATE_SYNTAX', message: 'unclosed "{{"', offset: stray })
  }
  return { value: out, problems }
}

function envValue(
  name: string,
  offset: number,
  scope: TemplateScope,
  problems: TemplateProblem[],
): string {
  const v = scope.env(name)
  if (v === undefined) {
    problems.push({
      code: scope.envUnset === 'error' ? 'E_ENV_UNSET' : 'W_ENV_UNSET',
      message: `environment variable ${name} is not set`,
      suggestion: `export ${name}=… before running`,
      offset,
    })
    return ''
  }
  if (v !== '') scope.secret(v)
  return v
}

function evalExpr(
  src: string,
  offset: number,
  scope: TemplateScope,
  problems: TemplateProblem[],
): unknown {
  let expr: TemplateExpression
  try {
    expr = parseExpression(src)
  } catch (e) {
    problems.push({
      code: 'E_TEMPLATE_SYNTAX',
      message: `in {{${src}}}: ${e instanceof Error ? e.message : String(e)}`,
      offset,
    })
    return undefined
  }
  const found = scope.lookup(expr.path)
  let value: unknown = found.found ? found.value : undefined
  const hasDefault = expr.filters.some((f) => f.name === 'default')
  if (!found.found && !hasDefault) {
    problems.push({
      code: expr.path[0] === 'params' ? 'E_PARAM_UNDECLARED' : 'E_TEMPLATE_UNKNOWN',
      message: `{{ ${expr.path.join('.')} }} is not defined`,
      suggestion: found.suggestion ?? 'declare it under params: or add | default(…)',
      offset,
    })
    return undefined
  }
  for (const f of expr.filters) {
    switch (f.name) {
      case 'default':
        if (value === undefined || value === null || value === '') value = f.args[0]
        break
      case 'upper':
        value = String(value).toUpperCase()
        break
      case 'lower':
        value = String(value).toLowerCase()
        break
      case 'json':
        value = JSON.stringify(value)
        break
      default:
        problems.push({
          code: 'E_TEMPLATE_UNKNOWN',
          message: `unknown filter "${f.name}"`,
          suggestion:
            didYouMean(f.name, TEMPLATE_FILTERS) ?? `filters: ${TEMPLATE_FILTERS.join(', ')}`,
          offset,
        })
    }
  }
  return value
}

function toText(v: unknown): string {
  if (v === undefined || v === null) return ''
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return v.toString()
  return JSON.stringify(v)
}
