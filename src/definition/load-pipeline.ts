import { createHash } from 'node:crypto'
import jsyaml from 'js-yaml'
import { readFile } from 'node:fs/promises'
import { cpus, totalmem } from 'node:os'
import { dirname, extname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { validateGraph } from '../core/dag/validate-graph.js'
import type { PipelineDefinition } from '../core/define-pipeline.js'
import type { PipelineSpec } from '../core/spec/pipeline-spec.js'
import { SecretMask } from '../core/secret-mask.js'
import type { RunContextInput } from '../core/template/builtin-vars.js'
import { sortIssues, type ValidationIssue } from '../core/validation-issue.js'
import type { LoadedPipeline } from './loaded-pipeline.js'
import { parseYamlSource } from './parse-yaml-source.js'
import { plainDataIssues } from './plain-data-issues.js'
import type { PositionMap } from './position-map.js'
import { substituteTemplates } from './substitute-templates.js'
import { validateSpec } from './validate-spec.js'

export interface LoadOptions {
  /** Values for declared params (`--param k=v`). */
  readonly params?: Readonly<Record<string, unknown>>
  readonly run?: RunContextInput
  readonly env?: Readonly<Record<string, string | undefined>>
  /** An unset ${env:…} is an error when running, a warning when only validating. */
  readonly envUnset?: 'error' | 'warning'
  /** Display name for the file in messages (default: the path as given). */
  readonly displayName?: string
  /** Always parse with positions (skips the fast path for valid files). */
  readonly precise?: boolean
  /** Where relative paths (a sql task's `file:`) resolve. Default: the pipeline file's folder. */
  readonly baseDir?: string
}

const YAML_EXT = new Set(['.yaml', '.yml'])
const CODE_EXT = new Set(['.ts', '.mts', '.js', '.mjs'])

/** Reads, parses, substitutes and validates a pipeline file (YAML or TypeScript). Never throws for bad input. */
export async function loadPipelineFile(
  path: string,
  options: LoadOptions = {},
): Promise<LoadedPipeline> {
  const file = options.displayName ?? path
  options = { ...options, baseDir: options.baseDir ?? dirname(resolve(path)) }
  const ext = extname(path).toLowerCase()
  const fail = (issue: Omit<ValidationIssue, 'file' | 'severity'>): LoadedPipeline => ({
    file,
    source: '',
    hash: '',
    graph: validateGraph(new Map()).graph,
    issues: [{ severity: 'error', file, ...issue }],
    secrets: new SecretMask(),
  })
  if (!YAML_EXT.has(ext) && !CODE_EXT.has(ext)) {
    return fail({
      code: 'E_FILE_TYPE',
      message: `cannot load "${ext || path}" files`,
      suggestion: 'use .yaml, .yml, .ts or .js',
    })
  }
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    return code === 'ENOENT'
      ? fail({
          code: 'E_FILE_NOT_FOUND',
          message: `no such file: ${path}`,
          suggestion: 'check the path, or run `sluice init` to create a pipeline',
        })
      : fail({ code: 'E_FILE_READ', message: `cannot read ${path}: ${code ?? String(e)}` })
  }
  if (YAML_EXT.has(ext)) return loadPipelineText(text, { ...options, displayName: file })
  let data: unknown
  try {
    data = await importDefinition(path, options)
  } catch (e) {
    return {
      ...fail({
        code: 'E_TS_LOAD',
        message: `${path} failed to load: ${e instanceof Error ? e.message : String(e)}`,
      }),
      source: text,
      hash: sha256(text),
    }
  }
  const problems = plainDataIssues(data, file)
  if (problems.length > 0)
    return { ...fail(problems[0]!), issues: problems, source: text, hash: sha256(text) }
  return finish(data, text, file, undefined, options)
}

/** Validates YAML text (no file needed). */
export function loadPipelineText(text: string, options: LoadOptions = {}): LoadedPipeline {
  const file = options.displayName ?? '<pipeline>'
  const fast = options.precise ? undefined : fastPath(text, file, options)
  if (fast) return fast
  const parsed = parseYamlSource(text, file)
  if (parsed.issues.some((i) => i.severity === 'error' && i.code === 'E_YAML_SYNTAX')) {
    return {
      file,
      source: text,
      hash: sha256(text),
      graph: validateGraph(new Map()).graph,
      issues: parsed.issues,
      secrets: new SecretMask(),
      positions: parsed.positions,
    }
  }
  const result = finish(parsed.value, text, file, parsed.positions, options)
  const issues = sortIssues([...parsed.issues, ...result.issues])
  if (!issues.some((i) => i.severity === 'error')) return { ...result, issues }
  const { spec: _dropped, ...rest } = result
  return { ...rest, issues }
}

/** Validates a spec object (what `definePipeline` returns). */
export function loadPipelineSpec(spec: unknown, options: LoadOptions = {}): LoadedPipeline {
  const file = options.displayName ?? '<definePipeline>'
  const problems = plainDataIssues(spec, file)
  if (problems.length > 0) {
    return {
      file,
      source: '',
      hash: '',
      graph: validateGraph(new Map()).graph,
      issues: problems,
      secrets: new SecretMask(),
    }
  }
  const text = JSON.stringify(spec, null, 2) ?? ''
  return finish(spec, text, file, undefined, options)
}

function finish(
  data: unknown,
  text: string,
  file: string,
  positions: PositionMap | undefined,
  options: LoadOptions,
): LoadedPipeline {
  const sub = substituteTemplates(data, {
    file,
    positions,
    params: options.params,
    run: options.run,
    env: options.env,
    envUnset: options.envUnset,
    ...(options.baseDir !== undefined && { baseDir: options.baseDir }),
  })
  const v = validateSpec(sub.value, data, file, positions, {
    cpus: cpus().length,
    memoryMb: Math.round(totalmem() / 2 ** 20),
  })
  const issues = sortIssues([...sub.issues, ...v.issues])
  const ok = !issues.some((i) => i.severity === 'error')
  return {
    file,
    source: text,
    hash: sha256(text),
    ...(ok && v.spec && { spec: withSqlFiles(v.spec, sub.sqlFiles) }),
    graph: v.graph,
    params: sub.params,
    issues,
    secrets: sub.secrets,
    ...(positions && { positions }),
  }
}

/** Sql tasks with `file:` carry the rendered file contents in `sql` (the executor runs those). */
function withSqlFiles(spec: PipelineSpec, sqlFiles: ReadonlyMap<string, string>): PipelineSpec {
  if (sqlFiles.size === 0) return spec
  const tasks = { ...spec.tasks }
  for (const [id, sql] of sqlFiles) {
    const t = tasks[id]
    if (t?.type === 'sql') tasks[id] = { ...t, sql }
  }
  return { ...spec, tasks }
}

async function importDefinition(path: string, options: LoadOptions): Promise<unknown> {
  const url = pathToFileURL(resolve(path)).href
  const ext = extname(path).toLowerCase()
  const mod = (
    ext === '.ts' || ext === '.mts'
      ? await (await import('tsx/esm/api')).tsImport(url, import.meta.url)
      : await import(url)
  ) as { default?: PipelineDefinition; pipeline?: PipelineDefinition }
  const def = mod.default ?? mod.pipeline
  if (def === undefined)
    throw new Error('the module has no default export (export default definePipeline({...}))')
  if (typeof def === 'function') {
    const params = Object.fromEntries(
      Object.entries(options.params ?? {}).map(([k, v]) => [k, String(v)]),
    )
    return await def({ params, env: options.env ?? process.env })
  }
  return def
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

const ALIAS = /(^|[\s[{,:-])\*[^\s,\]}]/m

/**
 * The common case, a valid file, parsed by js-yaml (about 10× faster than the position-keeping
 * parser on large files). Any issue at all, or any alias (whose expansion the slow path bounds),
 * sends the file through the precise path so every message gets its line and column.
 */
function fastPath(text: string, file: string, options: LoadOptions): LoadedPipeline | undefined {
  if (ALIAS.test(text)) return undefined
  let data: unknown
  try {
    data = jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA, json: false })
  } catch {
    return undefined // syntax errors, duplicate keys: the precise path explains them
  }
  const result = finish(data, text, file, undefined, options)
  return result.issues.length === 0 ? result : undefined
}
