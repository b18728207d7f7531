import { validateGraph } from '../core/dag/validate-graph.js'
import type { TaskGraph } from '../core/dag/task-graph.js'
import { pipelineTopSchema } from '../core/spec/pipeline-schema.js'
import type { PipelineSpec } from '../core/spec/pipeline-spec.js'
import { TASK_TYPE_NAMES, TASK_TYPES } from '../core/tasks/task-types.js'
import { didYouMean } from '../core/suggest.js'
import { hasErrors, type ValidationIssue } from '../core/validation-issue.js'
import { checkReferences, type MachineLimits } from './check-references.js'
import { pathToString, type PositionMap } from './position-map.js'
import { zodIssues } from './zod-issues.js'

export interface SpecValidation {
  /** Present only when there are no errors. */
  readonly spec?: PipelineSpec
  readonly graph: TaskGraph
  readonly deps: ReadonlyMap<string, readonly string[]>
  readonly issues: ValidationIssue[]
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v)

/**
 * Schema validation of the top level and of each task against its type, then reference checks,
 * then the dependency graph. Everything is collected; nothing stops at the first problem.
 */
export function validateSpec(
  data: unknown,
  raw: unknown,
  file: string,
  positions: PositionMap | undefined,
  machine?: MachineLimits,
): SpecValidation {
  const issues: ValidationIssue[] = []
  if (!isObj(data)) {
    issues.push({
      severity: 'error',
      code: 'E_SCHEMA_TYPE',
      message: 'a pipeline file must be a mapping with name: and tasks:',
      file,
      line: 1,
      col: 1,
    })
    return { graph: validateGraph(new Map()).graph, deps: new Map(), issues }
  }
  issues.push(...zodIssues(pipelineTopSchema, data, [], file, positions))
  const tasks = isObj(data.tasks) ? data.tasks : {}
  if (isObj(data.tasks) && Object.keys(tasks).length === 0) {
    const pos = positions?.value(['tasks'])
    issues.push({
      severity: 'error',
      code: 'E_SCHEMA_VALUE',
      message: 'tasks: is empty; a pipeline needs at least one task',
      file,
      path: 'tasks',
      ...(pos && { line: pos.line, col: pos.col }),
    })
  }
  const deps = new Map<string, string[]>()
  for (const [id, task] of Object.entries(tasks)) {
    const base = ['tasks', id]
    if (!isObj(task)) {
      const pos = positions?.value(base)
      issues.push({
        severity: 'error',
        code: 'E_SCHEMA_TYPE',
        message: `task ${id} must be a mapping with type:`,
        file,
        path: pathToString(base),
        ...(pos && { line: pos.line, col: pos.col }),
      })
      deps.set(id, [])
      continue
    }
    const d = task.depends_on
    deps.set(
      id,
      typeof d === 'string'
        ? [d]
        : Array.isArray(d)
          ? d.filter((x): x is string => typeof x === 'string')
          : [],
    )
    const type = task.type
    if (typeof type !== 'string' || !Object.hasOwn(TASK_TYPES, type)) {
      const pos = type === undefined ? positions?.key(base) : positions?.value([...base, 'type'])
      issues.push({
        severity: 'error',
        code: type === undefined ? 'E_SCHEMA_REQUIRED' : 'E_TASK_TYPE_UNKNOWN',
        message:
          type === undefined
            ? `task ${id} has no type:`
            : `task ${id} has unknown type ${JSON.stringify(type)}`,
        suggestion:
          (typeof type === 'string' && didYouMean(type, TASK_TYPE_NAMES)) ||
          `types: ${TASK_TYPE_NAMES.join(', ')}`,
        file,
        path: pathToString([...base, 'type']),
        ...(pos && { line: pos.line, col: pos.col }),
      })
      continue
    }
    issues.push(
      ...zodIssues(TASK_TYPES[type as keyof typeof TASK_TYPES].schema, task, base, file, positions),
    )
  }
  const { graph, problems } = validateGraph(deps)
  for (const p of problems) {
    const pos = positions?.value(
      p.path.split(/\.|\[/).map((s) => (s.endsWith(']') ? Number(s.slice(0, -1)) : s)),
    )
    issues.push({ ...p, file, ...(pos && { line: pos.line, col: pos.col }) })
  }
  if (hasErrors(issues)) return { graph, deps, issues }
  const spec = data as unknown as PipelineSpec
  issues.push(...checkReferences(spec, isObj(raw) ? raw : {}, file, positions, machine))
  return hasErrors(issues) ? { graph, deps, issues } : { spec: spec, graph, deps, issues }
}
