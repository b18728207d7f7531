import type { ValidationIssue } from '../core/validation-issue.js'
import { setOwn } from '../core/set-own.js'
import { SecretMask } from '../core/secret-mask.js'
import { builtinVars, type RunContextInput } from '../core/template/builtin-vars.js'
import { renderTemplate, type TemplateScope } from '../core/template/render-template.js'
import {
  resolveParams,
  taskScope,
  type ParamEnv,
  type ParamProblem,
  type ResolvedParams,
} from '../core/template/resolve-params.js'
import { paramsSchema } from '../core/spec/param-schema.js'
import { pathToString, type PathSegment, type PositionMap } from './position-map.js'
import { dirname, resolve } from 'node:path'
import { renderSqlTask } from './render-sql-task.js'

export interface SubstituteOptions {
  readonly file: string
  readonly positions?: PositionMap
  /** --param values (strings from the command line, or typed values from the API). */
  readonly params?: Readonly<Record<string, unknown>>
  readonly run?: RunContextInput
  readonly env?: Readonly<Record<string, string | undefined>>
  /** `warning` for validate/plan (secrets may be absent there), `error` for run. */
  readonly envUnset?: 'error' | 'warning'
  /** Where `file:` paths of sql tasks resolve. Default: the folder of `file` (cwd for `<…>`). */
  readonly baseDir?: string
}

export interface Substituted {
  readonly value: unknown
  readonly params: ResolvedParams
  readonly secrets: SecretMask
  readonly issues: ValidationIssue[]
  /** The rendered contents of sql tasks' `file:`, by task id (inline `sql:` is rendered in place). */
  readonly sqlFiles: ReadonlyMap<string, string>
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v)

/**
 * Replaces `{{ … }}` and `${env:NAME}` throughout a parsed definition, before schema validation, so
 * a parameter that breaks the graph is caught by the same checks. Tasks see their own params.
 */
export function substituteTemplates(raw: unknown, opts: SubstituteOptions): Substituted {
  const issues: ValidationIssue[] = []
  const secrets = new SecretMask()
  const env = opts.env ?? process.env
  const penv: ParamEnv = {
    env: (n) => env[n],
    secret: (v) => secrets.add(v),
    envUnset: opts.envUnset ?? 'error',
  }
  const root = isObj(raw) ? raw : {}
  const decls = paramsSchema.safeParse(root.params ?? {})
  const schedule = root.schedule
  const cron =
    typeof schedule === 'string'
      ? schedule
      : isObj(schedule) && typeof schedule.cron === 'string'
        ? schedule.cron
        : undefined
  const timezone =
    isObj(schedule) && typeof schedule.timezone === 'string' ? schedule.timezone : undefined
  const name = typeof root.name === 'string' ? root.name : 'pipeline'
  const builtins = builtinVars(name, { cron, timezone, ...opts.run })
  const { params, problems } = resolveParams(
    decls.success ? decls.data : {},
    opts.params ?? {},
    builtins,
    penv,
  )
  const locate = (path: readonly PathSegment[]) => {
    const p = opts.positions?.value(path)
    return { file: opts.file, path: pathToString(path), ...(p && { line: p.line, col: p.col }) }
  }
  for (const p of problems) issues.push(paramIssue(p, locate))

  const walk = (v: unknown, path: PathSegment[], scope: TemplateScope): unknown => {
    if (typeof v === 'string') {
      const r = renderTemplate(v, scope)
      for (const p of r.problems) {
        const pos = opts.positions?.inString(path, v, p.offset)
        issues.push({
          severity: p.code.startsWith('W_') ? 'warning' : 'error',
          code: p.code,
          message: p.message,
          ...(p.suggestion !== undefined && { suggestion: p.suggestion }),
          ...locate(path),
          ...(pos && { line: pos.line, col: pos.col }),
        })
      }
      return r.value
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, i], scope))
    if (isObj(v)) {
      const out: Obj = {}
      for (const [k, x] of Object.entries(v)) setOwn(out, k, walk(x, [...path, k], scope))
      return out
    }
    return v
  }

  const pipelineScope = taskScope(params, {}, penv).scope
  const sqlScopes = new Map<string, TemplateScope>()
  const out: Obj = {}
  for (const [k, v] of Object.entries(root)) {
    if (k === 'params')
      setOwn(out, k, v) // declarations are resolved above, not rendered in place
    else if (k === 'tasks' && isObj(v)) {
      const tasks: Obj = {}
      for (const [id, task] of Object.entries(v)) {
        const taskParams = isObj(task) && isObj(task.params) ? task.params : undefined
        const ts = taskScope(params, taskParams, penv)
        for (const p of ts.problems)
          issues.push(paramIssue(p, () => locate(['tasks', id, 'params', p.param])))
        if (isObj(task) && task.type === 'sql') {
          // SQL text is rendered below, once every task is known (for ref())
          const { sql, ...rest } = task
          const t = walk(rest, ['tasks', id], ts.scope) as Obj
          if (sql !== undefined) setOwn(t, 'sql', sql)
          setOwn(tasks, id, t)
          sqlScopes.set(id, ts.scope)
        } else setOwn(tasks, id, walk(task, ['tasks', id], ts.scope))
      }
      setOwn(out, k, tasks)
    } else setOwn(out, k, walk(v, [k], pipelineScope))
  }
  const sqlFiles = new Map<string, string>()
  const baseDir =
    opts.baseDir ?? (opts.file.startsWith('<') ? process.cwd() : dirname(resolve(opts.file)))
  const tasks = isObj(out.tasks) ? out.tasks : {}
  const connections = isObj(out.connections) ? out.connections : {}
  for (const [id, scope] of sqlScopes) {
    const task = tasks[id] as Obj
    const r = renderSqlTask(id, task, tasks, connections, scope, { ...opts, baseDir })
    issues.push(...r.issues)
    if (r.sql === undefined) continue
    if (typeof task.sql === 'string') task.sql = r.sql
    else sqlFiles.set(id, r.sql)
  }
  return { value: isObj(raw) ? out : raw, params, secrets, issues, sqlFiles }
}

function paramIssue(
  p: ParamProblem,
  locate: (path: readonly PathSegment[]) => {
    file: string
    path: string
    line?: number
    col?: number
  },
): ValidationIssue {
  const where =
    p.source === 'command-line' ? { file: '--param', path: p.param } : locate(['params', p.param])
  return {
    severity: p.code.startsWith('W_') ? 'warning' : 'error',
    code: p.code,
    message: p.message,
    ...(p.suggestion !== undefined && { suggestion: p.suggestion }),
    ...where,
  }
}
