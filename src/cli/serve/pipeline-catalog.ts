import { statSync, watch, type FSWatcher } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { PipelineSpec } from '../../core/spec/pipeline-spec.js'
import { formatIssue, type ValidationIssue } from '../../core/validation-issue.js'
import type { CompiledPipeline } from '../../core/compiled-pipeline.js'
import type { ExecutionPlan } from '../../core/dag/execution-plan.js'
import { compilePipeline } from '../../definition/compile-pipeline.js'
import { loadPipelineFile } from '../../definition/load-pipeline.js'

/** A pipeline as `sluice serve` knows it: the file it came from and the version loaded. */
export interface CatalogEntry {
  readonly name: string
  readonly file: string
  readonly hash: string
  readonly spec: PipelineSpec
  readonly plan: ExecutionPlan
  /** The version loaded, compiled (no run context: `{{ run_id }}` and the like are not set). */
  readonly compiled: CompiledPipeline
  /**
   * Whether a run without params may run `compiled` as is instead of loading the file again: a
   * YAML file with no `{{ }}` template, no `${env:…}`, no sql `file:`, loaded without any issue,
   * so its content cannot depend on the run (id, data interval, params, environment).
   */
  readonly reusable: boolean
  /** mtime and size of the file when it was loaded (see `unchanged`). */
  readonly stamp: string
}

/** Whether the entry's file is still the one loaded (same mtime and size); false if it is gone. */
export function unchanged(entry: CatalogEntry): boolean {
  try {
    const st = statSync(entry.file)
    return `${st.mtimeMs}:${st.size}` === entry.stamp
  } catch {
    return false
  }
}

/** See CatalogEntry.reusable. */
function reusableAsIs(file: string, source: string, spec: PipelineSpec, issues: number): boolean {
  return (
    issues === 0 &&
    /\.ya?ml$/i.test(file) &&
    !source.includes('{{') &&
    !source.includes('${') &&
    !Object.values(spec.tasks).some(
      (t) => t.type === 'sql' && (t as { file?: unknown }).file !== undefined,
    )
  )
}

const PIPELINE_FILE = /\.(ya?ml)$|^pipeline\.(ts|mts|js|mjs)$/

/**
 * The pipelines of a folder (and its direct subfolders): loaded, validated, and reloaded when a
 * file changes. A file that no longer validates keeps its last good version (its problems are
 * reported); runs already going keep the version they started with (they hold their own copy).
 */
export class PipelineCatalog {
  private entries = new Map<string, CatalogEntry>()
  private watcher: FSWatcher | undefined
  private timer: NodeJS.Timeout | undefined

  constructor(
    readonly dir: string,
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly report: (text: string) => void,
  ) {}

  list(): CatalogEntry[] {
    return [...this.entries.values()].sort((a, b) => a.name.localeCompare(b.name))
  }

  get(name: string): CatalogEntry | undefined {
    return this.entries.get(name)
  }

  /** Loads every pipeline file; returns the problems found (a broken file is skipped). */
  async load(): Promise<ValidationIssue[]> {
    const files = await pipelineFiles(this.dir)
    const next = new Map<string, CatalogEntry>()
    const problems: ValidationIssue[] = []
    for (const file of files) {
      // stat before reading: a change after it shows as a different stamp at run start
      const st = await stat(file).catch(() => undefined)
      const loaded = await loadPipelineFile(file, { env: this.env, envUnset: 'warning' })
      const errors = loaded.issues.filter((i) => i.severity === 'error')
      if (errors.length > 0 || loaded.spec === undefined) {
        problems.push(...errors)
        const old = [...this.entries.values()].find((e) => e.file === file)
        if (old) next.set(old.name, old)
        continue
      }
      const name = loaded.spec.name
      const dup = next.get(name)
      if (dup) {
        this.report(`pipeline ${name} is defined in ${dup.file} and ${file}; keeping the first`)
        continue
      }
      const compiled = compilePipeline(loaded)
      next.set(name, {
        name,
        file,
        hash: loaded.hash,
        spec: loaded.spec,
        plan: compiled.plan,
        compiled,
        reusable: reusableAsIs(file, loaded.source, loaded.spec, loaded.issues.length),
        stamp: st ? `${st.mtimeMs}:${st.size}` : '',
      })
    }
    for (const [name, e] of next) {
      const before = this.entries.get(name)
      if (before === undefined) this.report(`loaded pipeline ${name} from ${e.file}`)
      else if (before.hash !== e.hash) this.report(`reloaded pipeline ${name} (${e.file})`)
    }
    for (const name of this.entries.keys())
      if (!next.has(name)) this.report(`pipeline ${name} is gone`)
    for (const p of problems) this.report(formatIssue(p))
    this.entries = next
    return problems
  }

  /** Reloads (debounced) when anything in the folder changes. */
  watch(onChange: () => void): void {
    try {
      this.watcher = watch(this.dir, { recursive: false }, () => {
        clearTimeout(this.timer)
        this.timer = setTimeout(() => {
          this.load().then(onChange, (e: unknown) => this.report(`reload failed: ${String(e)}`))
        }, 300)
      })
    } catch (e) {
      this.report(`cannot watch ${this.dir} for changes: ${String(e)}`)
    }
  }

  close(): void {
    clearTimeout(this.timer)
    this.watcher?.close()
  }
}

async function pipelineFiles(dir: string): Promise<string[]> {
  const out: string[] = []
  const entries = await readdir(dir, { withFileTypes: true })
  for (const e of entries) {
    const path = resolve(join(dir, e.name))
    if (e.isFile() && PIPELINE_FILE.test(e.name)) out.push(path)
    else if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') {
      const inner = await readdir(path, { withFileTypes: true }).catch(() => [])
      for (const f of inner)
        if (f.isFile() && PIPELINE_FILE.test(f.name)) out.push(join(path, f.name))
    }
  }
  return out.sort()
}
