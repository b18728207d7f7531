import { readFile } from 'node:fs/promises'
import type { Hono } from 'hono'
import { z } from 'zod'
import { buildLineageGraph } from '../../observe/lineage-graph.js'
import type { ApiDataset, ApiPipelineVersion } from '../api-types.js'
import type { ApiDeps } from '../api-deps.js'
import { findPipeline } from '../find-pipeline.js'
import { latestDatasetOutputs } from '../latest-dataset-outputs.js'
import { parseInput } from '../parse-input.js'
import { maskSpec } from '../mask-spec.js'

const noQuery = z.strictObject({})
/** How many runs back the version history looks for definition hashes. */
const VERSION_RUNS = 1000

/**
 * What the dashboard needs beyond the control-plane routes: a pipeline's definition versions
 * (the YAML each run pinned, plus the file as loaded now) and the datasets of every loaded
 * pipeline with the schema and row count of their latest run, column-level lineage, and the rows
 * their writers quarantined.
 */
export function registerDashboardRoutes(app: Hono, deps: ApiDeps): void {
  const { store, control } = deps

  app.get('/api/v1/pipelines/:name/versions', async (c) => {
    const p = await findPipeline(control, c.req.param('name'))
    parseInput(noQuery, c.req.query(), 'query')
    const runs = await store.listRuns({ pipeline: p.name, limit: VERSION_RUNS })
    const hashes = new Map<string, { runs: number; lastRunAt: string }>()
    for (const r of runs) {
      const h = hashes.get(r.pipelineHash)
      if (h) h.runs++
      else hashes.set(r.pipelineHash, { runs: 1, lastRunAt: r.createdAt })
    }
    const versions: ApiPipelineVersion[] = []
    for (const [hash, h] of hashes) {
      const v = await store.getPipelineVersion(p.name, hash)
      if (!v) continue
      versions.push({
        version: v.version,
        hash,
        createdAt: v.createdAt,
        source: maskSource(v.source),
        current: hash === p.hash,
        runs: h.runs,
        lastRunAt: h.lastRunAt,
      })
    }
    if (!hashes.has(p.hash)) {
      let source = ''
      try {
        source = maskSource(await readFile(p.file, 'utf8'))
      } catch {
        source = `# ${p.file} cannot be read any more`
      }
      versions.push({
        version: null,
        hash: p.hash,
        createdAt: null,
        source,
        current: true,
        runs: 0,
        lastRunAt: null,
      })
    }
    versions.sort((a, b) => (b.version ?? Infinity) - (a.version ?? Infinity))
    return c.json({ pipeline: p.name, versions })
  })

  app.get('/api/v1/datasets', async (c) => {
    parseInput(noQuery, c.req.query(), 'query')
    const byId = new Map<string, ApiDataset>()
    for (const p of await control.pipelines()) {
      const { outputs, rejects, runId } = await latestDatasetOutputs(store, p.name)
      const graph = buildLineageGraph(p.spec, { outputs })
      for (const n of graph.nodes.values()) {
        if (n.kind !== 'dataset') continue
        const had = byId.get(n.id)
        const producedHere = n.producer !== undefined
        const readers = graph.edges
          .filter((e) => e.from === n.id)
          .map((e) => e.to.replace(/^task:/, ''))
        const writers = graph.edges
          .filter((e) => e.to === n.id)
          .map((e) => e.from.replace(/^task:/, ''))
        const quarantined = [
          ...(had?.rejects ?? []),
          ...writers.flatMap((w) => {
            const r = rejects[w.slice(p.name.length + 1)]
            return r && w.startsWith(`${p.name}.`) ? [{ task: w, ...r }] : []
          }),
        ]
        byId.set(n.id, {
          id: n.id,
          namespace: n.namespace,
          name: n.name,
          pipeline: producedHere ? p.name : (had?.pipeline ?? null),
          producer: n.producer ?? had?.producer ?? null,
          rows: n.rows ?? had?.rows ?? null,
          runId: producedHere ? runId : (had?.runId ?? null),
          fields: (n.fields ?? had?.fields ?? []).map((f) => ({
            name: f.name,
            type: f.type,
            nullable: f.nullable,
            inputs: f.inputs ?? [],
            transformation: f.transformation ?? null,
          })),
          readBy: [...new Set([...(had?.readBy ?? []), ...readers])],
          writtenBy: [...new Set([...(had?.writtenBy ?? []), ...writers])],
          rejected: quarantined.length === 0 ? null : quarantined.reduce((a, r) => a + r.rows, 0),
          rejects: quarantined,
        })
      }
    }
    const datasets = [...byId.values()].sort((a, b) => a.id.localeCompare(b.id))
    return c.json({ datasets })
  })
}

/** Masks connection URLs with passwords and secret-looking values in a YAML source. */
function maskSource(source: string): string {
  return source
    .split('\n')
    .map((line) => {
      const m = /^(\s*-?\s*)([A-Za-z_][\w-]*)(\s*:\s*)(\S.*)$/.exec(line)
      if (m) {
        const masked = maskSpec({ [m[2]!]: m[4]! } as never) as unknown as Record<string, string>
        const v = masked[m[2]!]
        if (v !== m[4]) return `${m[1]}${m[2]}${m[3]}${v}`
      }
      return (maskSpec({ s: line } as never) as unknown as { s: string }).s
    })
    .join('\n')
}
