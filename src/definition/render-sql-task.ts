import { readFileSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { connectorKindOf, type ConnectionSpec } from '../core/spec/connection-schema.js'
import { didYouMean } from '../core/suggest.js'
import { producesDataset } from '../core/tasks/produces-dataset.js'
import type { TemplateScope } from '../core/template/render-template.js'
import { renderSqlTemplate, type RefResolution } from '../core/template/render-sql-template.js'
import type { ValidationIssue } from '../core/validation-issue.js'
import { pathToString, type PositionMap } from './position-map.js'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v)

export interface RenderSqlTaskOptions {
  /** The pipeline file as shown in messages. */
  readonly file: string
  /** Where `file:` paths resolve (the pipeline file's folder). */
  readonly baseDir: string
  readonly positions?: PositionMap
}

export interface RenderedSqlTask {
  /** The rendered SQL (from `sql:` or from the `file:` contents); undefined when unreadable. */
  readonly sql?: string
  readonly issues: ValidationIssue[]
}

/**
 * Renders the SQL of one `sql` task at load time, before anything runs: inline `sql:` and the
 * contents of a `file:` alike, with the task's template scope (params, built-ins, env) and
 * `{{ ref('task') }}` resolved against its `depends_on`. Problems in a .sql file are located in
 * that file (path relative like the pipeline's, line and column).
 */
export function renderSqlTask(
  id: string,
  task: Obj,
  tasks: Obj,
  connections: Obj,
  scope: TemplateScope,
  opts: RenderSqlTaskOptions,
): RenderedSqlTask {
  const issues: ValidationIssue[] = []
  const ref = refResolver(id, task, tasks, connections)
  if (typeof task.sql === 'string') {
    const text = task.sql
    const path = ['tasks', id, 'sql']
    const r = renderSqlTemplate(text, scope, ref)
    for (const p of r.problems) {
      const pos = opts.positions?.inString(path, text, p.offset)
      issues.push({
        severity: p.code.startsWith('W_') ? 'warning' : 'error',
        code: p.code,
        message: p.message,
        ...(p.suggestion !== undefined && { suggestion: p.suggestion }),
        file: opts.file,
        path: pathToString(path),
        ...(pos && { line: pos.line, col: pos.col }),
      })
    }
    return { sql: r.value, issues }
  }
  if (typeof task.file !== 'string') return { issues }
  const path = ['tasks', id, 'file']
  const display = sqlDisplayPath(opts.file, task.file)
  let text: string
  try {
    text = readFileSync(resolve(opts.baseDir, task.file), 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    const pos = opts.positions?.value(path)
    issues.push({
      severity: 'error',
      code: code === 'ENOENT' ? 'E_FILE_NOT_FOUND' : 'E_FILE_READ',
      message:
        code === 'ENOENT'
          ? `task ${id}: no such SQL file: ${display}`
          : `task ${id}: cannot read ${display}: ${code ?? String(e)}`,
      suggestion: `paths in file: are relative to the pipeline file's folder`,
      file: opts.file,
      path: pathToString(path),
      ...(pos && { line: pos.line, col: pos.col }),
    })
    return { issues }
  }
  const r = renderSqlTemplate(text, scope, ref)
  for (const p of r.problems) {
    const before = text.slice(0, p.offset)
    const nl = before.lastIndexOf('\n')
    issues.push({
      severity: p.code.startsWith('W_') ? 'warning' : 'error',
      code: p.code,
      message: p.message.includes(`task ${id}`) ? p.message : `task ${id}: ${p.message}`,
      ...(p.suggestion !== undefined && { suggestion: p.suggestion }),
      file: display,
      path: pathToString(path),
      line: before.split('\n').length,
      col: p.offset - nl,
    })
  }
  return { sql: r.value, issues }
}

/** A .sql path as messages show it: next to the pipeline file as displayed. */
export function sqlDisplayPath(pipelineFile: string, sqlFile: string): string {
  if (isAbsolute(sqlFile) || pipelineFile.startsWith('<')) return sqlFile
  return join(dirname(pipelineFile), sqlFile)
}

function dependsOnOf(task: Obj): string[] {
  const d = task.depends_on
  if (typeof d === 'string') return [d]
  return Array.isArray(d) ? d.filter((x): x is string => typeof x === 'string') : []
}

function refResolver(
  id: string,
  task: Obj,
  tasks: Obj,
  connections: Obj,
): (target: string) => RefResolution {
  const deps = dependsOnOf(task)
  const conn = typeof task.connection === 'string' ? task.connection : undefined
  return (target) => {
    if (!deps.includes(target)) {
      return {
        ok: false,
        message: `ref('${target}') in task ${id}: ${target} is not upstream of ${id} (upstream: ${deps.length ? deps.join(', ') : 'none'})`,
        suggestion: didYouMean(target, deps) ?? `add "${target}" to depends_on of ${id}`,
      }
    }
    const up = tasks[target]
    // a dependency that names no task is reported by graph validation (E_DEP_MISSING)
    if (!isObj(up)) return { ok: true, sql: quoteWith('"', target) }
    if (conn === undefined) {
      if (producesDataset(up)) return { ok: true, sql: quoteWith('"', target) }
      return {
        ok: false,
        message: `ref('${target}') in task ${id}: ${target} (${String(up.type)}) leaves no dataset to read`,
        suggestion:
          'ref() a task that stages data: an extract without destination:, a sql task without connection:, a transform',
      }
    }
    const dest =
      (up.type === 'load' || up.type === 'extract') && isObj(up.destination)
        ? up.destination
        : undefined
    if (dest && dest.connection === conn && typeof dest.table === 'string') {
      const spec = connections[conn]
      const kind =
        typeof spec === 'string' || isObj(spec)
          ? connectorKindOf(spec as ConnectionSpec)
          : undefined
      const q = kind === 'mysql' ? '`' : '"'
      return {
        ok: true,
        sql: dest.table
          .split('.')
          .map((p) => quoteWith(q, p))
          .join('.'),
      }
    }
    return {
      ok: false,
      message: `ref('${target}') in task ${id} (which runs inside connection ${conn}): ${target} writes no table into ${conn}`,
      suggestion: `ref() an upstream load (or extract with destination:) into ${conn}, or name the table directly`,
    }
  }
}

function quoteWith(q: string, name: string): string {
  return q + name.split(q).join(q + q) + q
}
