import { CONNECTOR_KINDS, connectionUrl, connectorKindOf } from '../core/spec/connection-schema.js'
import type { PipelineSpec, TaskSpec } from '../core/spec/pipeline-spec.js'
import { TASK_TYPES } from '../core/tasks/task-types.js'
import { didYouMean } from '../core/suggest.js'
import type { ErrorCode } from '../core/error-codes.js'
import type { ValidationIssue } from '../core/validation-issue.js'
import { pathToString, type PathSegment, type PositionMap } from './position-map.js'

export interface MachineLimits {
  readonly cpus: number
  readonly memoryMb: number
}

/** Normalised depends_on. */
export function dependsOn(task: { depends_on?: string | string[] | undefined }): string[] {
  const d = task.depends_on
  return d === undefined ? [] : typeof d === 'string' ? [d] : d
}

/**
 * Checks that cross keys agree: connections and pools exist, sources and destinations say where,
 * inputs are upstream, URLs name a known connector, and no password is written into the file.
 */
export function checkReferences(
  spec: PipelineSpec,
  raw: Record<string, unknown>,
  file: string,
  positions: PositionMap | undefined,
  machine: MachineLimits | undefined,
): ValidationIssue[] {
  const issues: ValidationIssue[] = []
  const add = (
    severity: 'error' | 'warning',
    code: ErrorCode,
    message: string,
    path: PathSegment[],
    suggestion?: string,
  ) => {
    const pos = positions?.value(path)
    issues.push({
      severity,
      code,
      message,
      file,
      path: pathToString(path),
      ...(pos && { line: pos.line, col: pos.col }),
      ...(suggestion !== undefined && { suggestion }),
    })
  }
  const connections = spec.connections ?? {}
  const connNames = Object.keys(connections)
  const rawConns = (raw.connections ?? {}) as Record<string, unknown>

  for (const [name, conn] of Object.entries(connections)) {
    const url = connectionUrl(conn)
    const kind = connectorKindOf(conn)
    const path = typeof conn === 'string' ? ['connections', name] : ['connections', name, 'url']
    if (kind === undefined && url !== '' && typeof conn !== 'string' && conn.type !== undefined) {
      add(
        'error',
        'E_CONNECTOR_UNKNOWN',
        `connection ${name} has unknown type "${conn.type}"`,
        ['connections', name, 'type'],
        didYouMean(conn.type, Object.keys(CONNECTOR_KINDS)) ??
          `types: ${Object.keys(CONNECTOR_KINDS).join(', ')}`,
      )
    } else if (kind === undefined && url !== '') {
      const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1] ?? url.slice(0, 12)
      const schemes = Object.values(CONNECTOR_KINDS).flatMap((k) => [...k.schemes])
      add(
        'error',
        'E_CONNECTOR_UNKNOWN',
        `connection ${name}: "${scheme}" is not a known connector`,
        path,
        didYouMean(scheme, schemes) ??
          `use one of ${schemes.map((s) => s + '://').join(', ')} or type: prometheus`,
      )
    }
    const rawUrl = rawConnectionUrl(rawConns[name])
    if (rawUrl !== undefined && /:\/\/[^:/@\s]*:(?!\$\{env:)[^@\s/]+@/.test(rawUrl)) {
      add(
        'warning',
        'W_INLINE_SECRET',
        `connection ${name} has a password written in the file`,
        path,
        'move it to an environment variable: ${env:NAME}',
      )
    }
  }
  const pools = new Set([...Object.keys(spec.pools ?? {}), ...connNames])

  const checkConnection = (name: string | undefined, path: PathSegment[]) => {
    if (name === undefined || Object.hasOwn(connections, name)) return
    add(
      'error',
      'E_CONNECTION_UNKNOWN',
      `connection "${name}" is not defined under connections:`,
      path,
      didYouMean(name, connNames) ??
        (connNames.length ? `defined: ${connNames.join(', ')}` : 'add it under connections:'),
    )
  }
  const kindOf = (name: string | undefined) => {
    const c = name === undefined ? undefined : connections[name]
    return c === undefined ? undefined : connectorKindOf(c)
  }

  const producers = new Set(
    Object.entries(spec.tasks)
      .filter(([, t]) => TASK_TYPES[t.type]?.producesData)
      .map(([id]) => id),
  )
  for (const [id, task] of Object.entries(spec.tasks)) {
    const base: PathSegment[] = ['tasks', id]
    if (task.pool !== undefined && !pools.has(task.pool)) {
      add(
        'error',
        'E_POOL_UNKNOWN',
        `pool "${task.pool}" is not defined under pools: or connections:`,
        [...base, 'pool'],
        didYouMean(task.pool, pools),
      )
    }
    checkTaskIo(task, base, checkConnection, kindOf, add)
    const type = TASK_TYPES[task.type]
    if (type.readsInput) {
      const deps = dependsOn(task)
      const input = (task as { input?: string | string[] }).input
      const inputs = input === undefined ? [] : typeof input === 'string' ? [input] : input
      inputs.forEach((inp, k) => {
        if (!deps.includes(inp)) {
          add(
            'error',
            'E_INPUT_INVALID',
            `input "${inp}" is not in depends_on of task ${id}`,
            [...base, 'input', ...(Array.isArray(input) ? [k] : [])],
            `add "${inp}" to depends_on`,
          )
        }
      })
      const upstreamData = deps.filter((d) => producers.has(d))
      const needsOne = task.type === 'load' || task.type === 'transform' || task.type === 'check'
      if (needsOne && inputs.length === 0) {
        if (upstreamData.length === 0 && deps.length > 0) {
          add(
            'error',
            'E_INPUT_INVALID',
            `task ${id} reads data but none of its dependencies produce any`,
            [...base, 'depends_on'],
            'depend on an extract, sql or transform task',
          )
        } else if (upstreamData.length === 0) {
          add(
            'error',
            'E_INPUT_INVALID',
            `task ${id} (${task.type}) needs an upstream task that produces data`,
            base,
            'add depends_on: [<extract or sql task>]',
          )
        } else if (upstreamData.length > 1) {
          add(
            'error',
            'E_INPUT_INVALID',
            `task ${id} has several upstream datasets (${upstreamData.join(', ')})`,
            [...base, 'depends_on'],
            'say which one with input:',
          )
        }
      }
    }
    if (task.resources && machine) {
      if ((task.resources.cpu ?? 0) > machine.cpus)
        add(
          'warning',
          'W_RESOURCES',
          `task ${id} asks for ${task.resources.cpu} CPUs; this machine has ${machine.cpus}`,
          [...base, 'resources', 'cpu'],
        )
      if ((task.resources.memory_mb ?? 0) > machine.memoryMb)
        add(
          'warning',
          'W_RESOURCES',
          `task ${id} asks for ${task.resources.memory_mb} MB; this machine has ${machine.memoryMb} MB`,
          [...base, 'resources', 'memory_mb'],
        )
    }
  }
  return issues
}

function rawConnectionUrl(v: unknown): string | undefined {
  if (typeof v === 'string') return v
  if (v !== null && typeof v === 'object' && typeof (v as { url?: unknown }).url === 'string')
    return (v as { url: string }).url
  return undefined
}

type Add = (
  severity: 'error' | 'warning',
  code: ErrorCode,
  message: string,
  path: PathSegment[],
  suggestion?: string,
) => void

function checkTaskIo(
  task: TaskSpec,
  base: PathSegment[],
  checkConnection: (name: string | undefined, path: PathSegment[]) => void,
  kindOf: (name: string | undefined) => string | undefined,
  add: Add,
): void {
  const http = (k: string | undefined) => k === 'http' || k === 'prometheus' || k === 'influxdb'
  if (task.type === 'extract') {
    const s = task.source
    const p = [...base, 'source']
    checkConnection(s.connection, [...p, 'connection'])
    if ((s.connection === undefined) === (s.path === undefined)) {
      add(
        'error',
        'E_SCHEMA_REQUIRED',
        'source needs exactly one of path: (a file) or connection:',
        p,
      )
    } else if (
      s.connection !== undefined &&
      !http(kindOf(s.connection)) &&
      kindOf(s.connection) !== undefined
    ) {
      if ((s.table === undefined) === (s.query === undefined))
        add(
          'error',
          'E_SCHEMA_REQUIRED',
          'a database source needs exactly one of table: or query:',
          p,
        )
    }
  }
  if (task.type === 'sql') checkConnection(task.connection, [...base, 'connection'])
  if (
    (task.type === 'sql' && task.sql === undefined && task.file === undefined) ||
    (task.type === 'sql' && task.sql !== undefined && task.file !== undefined)
  ) {
    add('error', 'E_SCHEMA_REQUIRED', 'a sql task needs exactly one of sql: or file:', base)
  }
  if (
    task.type === 'transform' &&
    [task.ops, task.module, task.map, task.transform].filter((x) => x !== undefined).length !== 1
  )
    add(
      'error',
      'E_SCHEMA_REQUIRED',
      'a transform task needs exactly one of ops: (built-in ops), module: (TS code) or, in a TS pipeline, map / transform (a function)',
      base,
    )
  const dest = task.type === 'load' || task.type === 'extract' ? task.destination : undefined
  if (dest) {
    const p = [...base, 'destination']
    checkConnection(dest.connection, [...p, 'connection'])
    if ((dest.connection === undefined) === (dest.path === undefined)) {
      add(
        'error',
        'E_SCHEMA_REQUIRED',
        'destination needs exactly one of path: (a file) or connection:',
        p,
      )
    } else if (
      dest.connection !== undefined &&
      dest.table === undefined &&
      !http(kindOf(dest.connection))
    ) {
      add('error', 'E_SCHEMA_REQUIRED', 'a database destination needs table:', p)
    }
    if (dest.mode === 'merge' && dest.keys === undefined)
      add('error', 'E_SCHEMA_REQUIRED', 'mode: merge needs keys: [...]', [...p, 'mode'])
  }
}
