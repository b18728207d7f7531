import type { ErrorCode } from '../error-codes.js'
import type { ParamDecl, ParamType, ParamValue } from '../spec/param-schema.js'
import { didYouMean } from '../suggest.js'
import { BUILTIN_NAMES, type BuiltinVars } from './builtin-vars.js'
import { coerceParam, inferParamType } from './coerce-param.js'
import { renderTemplate, type TemplateProblem, type TemplateScope } from './render-template.js'

export interface ParamProblem {
  readonly code: ErrorCode
  readonly message: string
  readonly suggestion?: string
  /** The param the problem is about; `source` says whether it came from the file or the command line. */
  readonly param: string
  readonly source: 'file' | 'command-line' | 'task'
  /** For template problems inside a default, the offset in that default string. */
  readonly offset?: number
}

export interface ParamEnv {
  readonly env: (name: string) => string | undefined
  readonly secret: (value: string) => void
  readonly envUnset: 'error' | 'warning'
}

export interface ResolvedParams {
  readonly values: Readonly<Record<string, ParamValue>>
  readonly types: Readonly<Record<string, ParamType>>
  /** Names given on the command line: they beat task-level values. */
  readonly fromCommandLine: ReadonlySet<string>
  readonly builtins: BuiltinVars
}

function declType(d: ParamDecl): ParamType {
  if (d !== null && typeof d === 'object' && !Array.isArray(d))
    return d.type ?? inferParamType(d.default)
  return inferParamType(d)
}

function declDefault(d: ParamDecl): { has: boolean; value?: ParamValue; required: boolean } {
  if (d !== null && typeof d === 'object' && !Array.isArray(d)) {
    return {
      has: d.default !== undefined,
      value: d.default,
      required: d.required ?? d.default === undefined,
    }
  }
  return { has: true, value: d, required: false }
}

/**
 * Resolves pipeline params. Precedence: command line > default (task-level values are applied per
 * task by `taskScope`). Defaults may use templates that refer to other params or built-ins; loops
 * are reported, not followed forever.
 */
export function resolveParams(
  decls: Readonly<Record<string, ParamDecl>> | undefined,
  overrides: Readonly<Record<string, unknown>>,
  builtins: BuiltinVars,
  penv: ParamEnv,
): { params: ResolvedParams; problems: ParamProblem[] } {
  const problems: ParamProblem[] = []
  const declared = decls ?? {}
  const values: Record<string, ParamValue> = {}
  const types: Record<string, ParamType> = {}
  const state = new Map<string, 'busy' | 'done'>()

  for (const name of Object.keys(overrides)) {
    if (!Object.hasOwn(declared, name)) {
      problems.push({
        code: 'E_PARAM_UNDECLARED',
        message: `--param ${name} is not declared by the pipeline`,
        suggestion:
          didYouMean(name, Object.keys(declared)) ??
          `declared params: ${Object.keys(declared).join(', ') || 'none'}`,
        param: name,
        source: 'command-line',
      })
    }
  }

  const resolve = (name: string): boolean => {
    if (state.get(name) === 'done') return true
    if (state.get(name) === 'busy') {
      problems.push({
        code: 'E_PARAM_CYCLE',
        message: `param ${name} refers to itself through its default`,
        param: name,
        source: 'file',
      })
      return false
    }
    const d = declared[name]
    if (d === undefined) return false
    state.set(name, 'busy')
    const type = declType(d)
    types[name] = type
    let raw: unknown
    let source: ParamProblem['source'] = 'file'
    if (Object.hasOwn(overrides, name)) {
      raw = overrides[name]
      source = 'command-line'
    } else {
      const def = declDefault(d)
      if (!def.has) {
        if (def.required) {
          problems.push({
            code: 'E_PARAM_MISSING',
            message: `param ${name} is required and has no value`,
            suggestion: `pass --param ${name}=… or give it a default`,
            param: name,
            source,
          })
        }
        values[name] = null
        state.set(name, 'done')
        return true
      }
      raw = def.value
      if (typeof raw === 'string') {
        const r = renderTemplate(raw, scopeFor(name))
        for (const p of r.problems) problems.push(fromTemplate(p, name))
        raw = r.problems.some((p) => p.code.startsWith('E_')) ? null : r.value
      }
    }
    if (raw !== null && raw !== undefined) {
      const c = coerceParam(raw, type)
      if (c.ok) values[name] = c.value
      else {
        problems.push({
          code: 'E_PARAM_TYPE',
          message: `param ${name} (${type}): ${c.error}`,
          param: name,
          source,
        })
        values[name] = null
      }
    } else values[name] = null
    const d2 = declared[name]
    if (
      d2 !== null &&
      typeof d2 === 'object' &&
      !Array.isArray(d2) &&
      d2.values &&
      values[name] !== null
    ) {
      const v0 = values[name]
      const items = Array.isArray(v0) ? v0 : [v0]
      if (!items.every((item) => d2.values!.some((v) => v === item))) {
        problems.push({
          code: 'E_PARAM_TYPE',
          message: `param ${name} is ${JSON.stringify(values[name])}; allowed: ${d2.values.map((v) => JSON.stringify(v)).join(', ')}`,
          param: name,
          source,
        })
      }
    }
    state.set(name, 'done')
    return true
  }

  const scopeFor = (owner: string): TemplateScope => ({
    ...penv,
    lookup: (path) => {
      if (path[0] === 'params' && path.length === 2) {
        const n = path[1]!
        if (n === owner && state.get(n) === 'busy') {
          problems.push({
            code: 'E_PARAM_CYCLE',
            message: `param ${n} refers to itself`,
            param: n,
            source: 'file',
          })
          return { found: true, value: null }
        }
        if (Object.hasOwn(declared, n)) {
          resolve(n) // a loop is reported once by resolve(); the value is then null
          return { found: true, value: values[n] ?? null }
        }
        return { found: false, suggestion: didYouMean(n, Object.keys(declared)) }
      }
      return lookupBuiltin(builtins, path)
    },
  })

  for (const name of Object.keys(declared)) resolve(name)
  return {
    params: { values, types, fromCommandLine: new Set(Object.keys(overrides)), builtins },
    problems,
  }
}

function fromTemplate(p: TemplateProblem, param: string): ParamProblem {
  return {
    code: p.code,
    message: `in the default of param ${param}: ${p.message}`,
    suggestion: p.suggestion,
    param,
    source: 'file',
    offset: p.offset,
  }
}

export function lookupBuiltin(
  builtins: BuiltinVars,
  path: readonly string[],
): { found: true; value: unknown } | { found: false; suggestion?: string } {
  const [head] = path
  if (path.length === 1 && head !== undefined && Object.hasOwn(builtins, head)) {
    return { found: true, value: builtins[head as keyof BuiltinVars] }
  }
  return {
    found: false,
    suggestion: didYouMean(path.join('.'), [...BUILTIN_NAMES, 'params.<name>']),
  }
}

/**
 * The template scope of one task: its own `params:` beat pipeline values unless the command line
 * set the same name.
 */
export function taskScope(
  resolved: ResolvedParams,
  taskParams: Readonly<Record<string, unknown>> | undefined,
  penv: ParamEnv,
): { scope: TemplateScope; problems: ParamProblem[] } {
  const problems: ParamProblem[] = []
  const local: Record<string, unknown> = { ...resolved.values }
  const base: TemplateScope = {
    ...penv,
    lookup: (path) => {
      if (path[0] === 'params' && path.length === 2) {
        const n = path[1]!
        if (Object.hasOwn(local, n)) return { found: true, value: local[n] }
        return { found: false, suggestion: didYouMean(n, Object.keys(local)) }
      }
      return lookupBuiltin(resolved.builtins, path)
    },
  }
  for (const [name, value] of Object.entries(taskParams ?? {})) {
    if (resolved.fromCommandLine.has(name)) continue
    let v: unknown = value
    if (typeof v === 'string') {
      const r = renderTemplate(v, base)
      for (const p of r.problems) problems.push({ ...fromTemplate(p, name), source: 'task' })
      if (r.problems.some((p) => p.code.startsWith('E_'))) continue
      v = r.value
    }
    const type = Object.hasOwn(resolved.types, name) ? resolved.types[name] : undefined
    if (type !== undefined && v !== null && v !== undefined) {
      const c = coerceParam(v, type)
      if (!c.ok) {
        problems.push({
          code: 'E_PARAM_TYPE',
          message: `task param ${name} (${type}): ${c.error}`,
          param: name,
          source: 'task',
        })
        continue
      }
      v = c.value
    }
    local[name] = v
  }
  return { scope: base, problems }
}
