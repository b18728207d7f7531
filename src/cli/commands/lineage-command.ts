import { existsSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { dirname, join, relative, resolve } from 'node:path'
import { SluiceError } from '../../core/sluice-error.js'
import { loadPipelineFile } from '../../definition/load-pipeline.js'
import {
  buildLineageGraph,
  mergeLineageGraphs,
  type LineageGraph,
  type LineageNode,
  type LineagePipelineSpec,
  type TaskDatasetOutput,
} from '../../observe/lineage-graph.js'
import { walkLineage, type LineageDirection } from '../../observe/walk-lineage.js'
import type { StateStore } from '../../state/state-store.js'
import { latestDatasetOutputs } from '../../server/latest-dataset-outputs.js'
import type { CliContext } from '../cli-context.js'
import { loadForCli } from '../load-for-cli.js'

export interface LineageCommandOptions {
  readonly upstream?: boolean
  readonly downstream?: boolean
  /** Pipeline files to build the graph from (repeatable); default: every file under `dir`. */
  readonly file?: string[]
  /** Default `pipelines` (of the current folder). */
  readonly dir?: string
  readonly json?: boolean
}

const PIPELINE_FILE = /\.(ya?ml)$|^pipeline\.(ts|mts|js|mjs)$/

/**
 * `sluice lineage REF [--upstream|--downstream] [--file F …| --dir D] [--json]`: what a dataset
 * (a file path, `conn:table`, `sluice:pipeline.task`) or a task (`pipeline.task`) comes from and
 * feeds. The graph is built from the pipeline files (`--file`, else every pipeline file in
 * `--dir`, default `./pipelines`, and its direct subfolders) with row counts and columns from
 * each pipeline's latest run in the state store; printed as an ASCII tree, or JSON.
 */
export async function lineageCommand(
  ctx: CliContext,
  ref: string,
  opts: LineageCommandOptions,
): Promise<void> {
  const { io } = ctx
  if (opts.upstream && opts.downstream)
    throw new SluiceError('E_USAGE', 'give at most one of --upstream and --downstream', {
      hint: 'without either, both directions are shown',
    })
  const direction: LineageDirection = opts.upstream
    ? 'upstream'
    : opts.downstream
      ? 'downstream'
      : 'both'
  const specs: { file: string; spec: LineagePipelineSpec }[] = []
  if (opts.file !== undefined && opts.file.length > 0) {
    for (const f of opts.file) {
      const loaded = await loadForCli(io, resolve(io.cwd, f), {
        envUnset: 'warning',
        quietWarnings: true,
      })
      specs.push({ file: resolve(io.cwd, f), spec: loaded.spec })
    }
  } else {
    const dir = resolve(io.cwd, opts.dir ?? 'pipelines')
    const files = await pipelineFiles(dir)
    if (files.length === 0)
      throw new SluiceError('E_USAGE', `no pipeline files in ${dir}`, {
        hint: 'name the files with --file, or their folder with --dir',
      })
    for (const file of files) {
      const loaded = await loadPipelineFile(file, { env: io.env, envUnset: 'warning' })
      if (loaded.spec === undefined || loaded.issues.some((i) => i.severity === 'error')) {
        const shown = relative(io.cwd, file) || file
        io.err(`warning: skipping ${shown}: it does not validate (sluice validate ${shown})`)
        continue
      }
      specs.push({ file, spec: loaded.spec })
    }
  }

  const outputs = await latestOutputs(
    ctx,
    specs.map((s) => s.spec.name),
  )
  const graphs: LineageGraph[] = []
  // file datasets by absolute path, so that REF may be a path relative to the current folder
  const byPath = new Map<string, string>()
  for (const { file, spec } of specs) {
    const g = buildLineageGraph(spec, { outputs: outputs.get(spec.name) ?? {} })
    for (const n of g.nodes.values())
      if (n.kind === 'dataset' && n.namespace === 'file')
        byPath.set(resolve(dirname(file), n.name), n.id)
    graphs.push(g)
  }
  const graph = mergeLineageGraphs(graphs)
  const pathRef = byPath.get(resolve(io.cwd, ref.startsWith('file:') ? ref.slice(5) : ref))
  // `pipeline.task` names the task (its dataset is `sluice:pipeline.task`)
  const taskRef = graph.nodes.has(`task:${ref}`) ? `task:${ref}` : ref
  const walk =
    walkLineage(graph, taskRef, { direction }) ??
    (pathRef !== undefined ? walkLineage(graph, pathRef, { direction }) : undefined)
  if (!walk)
    throw new SluiceError(
      'E_USAGE',
      `no dataset or task ${ref} in the lineage of ${specs.length} pipeline(s)`,
      {
        hint: `use a node id such as ${
          [...graph.nodes.keys()]
            .filter((k) => !k.startsWith('task:'))
            .slice(0, 3)
            .join(', ') || 'sluice:pipeline.task'
        }, a file path, or pipeline.task`,
      },
    )

  if (opts.json) {
    const part = (dir: 'upstream' | 'downstream') =>
      walk.nodes.filter((n) => n.direction === dir).map((n) => ({ depth: n.depth, ...n.node }))
    ctx.io.out(
      JSON.stringify(
        {
          start: walk.start,
          direction,
          ...(direction !== 'downstream' && { upstream: part('upstream') }),
          ...(direction !== 'upstream' && { downstream: part('downstream') }),
          edges: walk.edges,
        },
        null,
        2,
      ),
    )
    return
  }
  for (const dir of ['upstream', 'downstream'] as const) {
    if (direction !== 'both' && direction !== dir) continue
    io.out(`${dir} of ${walk.start.id}`)
    io.out(drawTree(graph, walk.start, dir).join('\n'))
  }
}

/** One line per node: `sluice:p.clean (3 rows)`, `task p.clean [sql]`. */
function label(n: LineageNode): string {
  if (n.kind === 'task') return `task ${n.pipeline}.${n.task} [${n.type}]`
  return n.rows !== undefined ? `${n.id} (${n.rows} rows)` : n.id
}

/** The ASCII tree from `start` along edges in one direction; repeats are marked, not redrawn. */
function drawTree(
  graph: LineageGraph,
  start: LineageNode,
  dir: 'upstream' | 'downstream',
): string[] {
  const lines = [label(start)]
  const drawn = new Set([start.id])
  const next = (id: string) =>
    [
      ...new Set(
        graph.edges
          .filter((e) => (dir === 'upstream' ? e.to === id : e.from === id))
          .map((e) => (dir === 'upstream' ? e.from : e.to)),
      ),
    ].sort()
  const visit = (id: string, prefix: string) => {
    const kids = next(id)
    kids.forEach((kid, i) => {
      const last = i === kids.length - 1
      const node = graph.nodes.get(kid)
      const seen = drawn.has(kid)
      lines.push(
        `${prefix}${last ? '└─ ' : '├─ '}${node ? label(node) : kid}${seen ? ' (see above)' : ''}`,
      )
      if (seen) return
      drawn.add(kid)
      visit(kid, `${prefix}${last ? '   ' : '│  '}`)
    })
  }
  visit(start.id, '')
  if (lines.length === 1) lines.push(`└─ (nothing ${dir})`)
  return lines
}

/** Dataset outputs of each pipeline's latest run, by task id (empty without a state store). */
async function latestOutputs(
  ctx: CliContext,
  pipelines: readonly string[],
): Promise<Map<string, Record<string, TaskDatasetOutput>>> {
  const out = new Map<string, Record<string, TaskDatasetOutput>>()
  // do not create a workspace just to find it empty
  if (ctx.io.env.SLUICE_STATE_URL === undefined && !existsSync(join(ctx.workspace(), 'state.db')))
    return out
  let store: StateStore | undefined
  try {
    store = await ctx.openStore()
    for (const pipeline of pipelines) {
      out.set(pipeline, (await latestDatasetOutputs(store, pipeline)).outputs)
    }
  } finally {
    await store?.close()
  }
  return out
}

async function pipelineFiles(dir: string): Promise<string[]> {
  const out: string[] = []
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  for (const e of entries) {
    const path = join(dir, e.name)
    if (e.isFile() && PIPELINE_FILE.test(e.name)) out.push(path)
    else if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') {
      const inner = await readdir(path, { withFileTypes: true }).catch(() => [])
      for (const f of inner)
        if (f.isFile() && PIPELINE_FILE.test(f.name)) out.push(join(path, f.name))
    }
  }
  return out.sort()
}
