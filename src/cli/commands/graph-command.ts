import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { planGraphView } from '../../core/dag/plan-graph-view.js'
import {
  renderAscii,
  renderDot,
  renderJson,
  renderMermaid,
  renderSvg,
} from '../../core/render/index.js'
import type { GraphView } from '../../core/render/graph-view.js'
import { SluiceError } from '../../core/sluice-error.js'
import { planLoaded } from '../../definition/plan-loaded.js'
import type { TaskState } from '../../core/state/task-state.js'
import { withStore, type CliContext } from '../cli-context.js'
import { loadForCli } from '../load-for-cli.js'
import { parseParamArgs } from '../parse-param-args.js'

export const GRAPH_FORMATS = ['ascii', 'mermaid', 'dot', 'svg', 'json'] as const
type GraphFormat = (typeof GRAPH_FORMATS)[number]

export interface GraphOptions {
  readonly format?: string
  readonly output?: string
  readonly param?: string[]
  readonly select?: string[]
  readonly exclude?: string[]
  /** Colour tasks by their states in this run. */
  readonly run?: string
}

/** `sluice graph FILE --format ascii|mermaid|dot|svg|json [-o FILE]`. */
export async function graphCommand(
  ctx: CliContext,
  file: string,
  opts: GraphOptions,
): Promise<void> {
  const io = ctx.io
  const format = (opts.format ??
    (opts.output ? formatFromName(opts.output) : 'ascii')) as GraphFormat
  if (!GRAPH_FORMATS.includes(format)) {
    throw new SluiceError('E_USAGE', `unknown graph format "${format}"`, {
      hint: `use ${GRAPH_FORMATS.join(', ')}`,
    })
  }
  const loaded = await loadForCli(io, resolve(io.cwd, file), {
    params: parseParamArgs(opts.param ?? []),
    envUnset: 'warning',
    quietWarnings: true,
  })
  const plan = planLoaded(loaded, { select: opts.select ?? [], exclude: opts.exclude ?? [] })
  const descriptions = new Map(
    Object.entries(loaded.spec.tasks).flatMap(([id, t]) =>
      t.description ? [[id, t.description] as const] : [],
    ),
  )
  const states = opts.run === undefined ? undefined : await runStates(ctx, opts.run)
  const view = planGraphView(plan, states, descriptions)
  const text = render(view, format, io.isTty && !opts.output)
  if (opts.output) {
    await writeFile(resolve(io.cwd, opts.output), text.endsWith('\n') ? text : text + '\n')
    io.err(
      `wrote ${opts.output} (${format}, ${view.nodes.length} tasks, ${view.edges.length} edges)`,
    )
  } else io.out(text)
}

function render(view: GraphView, format: GraphFormat, color: boolean): string {
  switch (format) {
    case 'ascii':
      return renderAscii(view, { color })
    case 'mermaid':
      return renderMermaid(view)
    case 'dot':
      return renderDot(view)
    case 'svg':
      return renderSvg(view)
    case 'json':
      return renderJson(view)
  }
}

function formatFromName(name: string): string {
  const ext = /\.([a-z]+)$/i.exec(name)?.[1]?.toLowerCase()
  return ext === 'mmd'
    ? 'mermaid'
    : ext === 'gv'
      ? 'dot'
      : ext === 'txt'
        ? 'ascii'
        : (ext ?? 'ascii')
}

async function runStates(ctx: CliContext, runId: string): Promise<Map<string, TaskState>> {
  return withStore(ctx, async (store) => {
    if (!(await store.getRun(runId))) {
      throw new SluiceError('E_STATE_NOT_FOUND', `no run ${runId}`, {
        hint: 'list runs with: sluice runs',
      })
    }
    return new Map((await store.listTasks(runId)).map((t) => [t.taskId, t.state]))
  })
}
