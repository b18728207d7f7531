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
import type { CliIo } from '../cli-io.js'
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
}

/** `sluice graph FILE --format ascii|mermaid|dot|svg|json [-o FILE]`. */
export async function graphCommand(io: CliIo, file: string, opts: GraphOptions): Promise<void> {
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
  const view = planGraphView(plan, undefined, descriptions)
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
