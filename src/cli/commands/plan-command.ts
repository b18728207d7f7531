import { dirname, resolve } from 'node:path'
import { formatDuration } from '../../core/duration.js'
import { planLoaded } from '../../definition/plan-loaded.js'
import type { CliIo } from '../cli-io.js'
import { loadForCli } from '../load-for-cli.js'
import { parseParamArgs } from '../parse-param-args.js'

export interface PlanCommandOptions {
  readonly param?: string[]
  readonly select?: string[]
  readonly exclude?: string[]
  readonly maxParallel?: number
  readonly json?: boolean
  /** Also probe extract sources for their schema (reads headers and table definitions). */
  readonly schema?: boolean
  /** Where earlier datasets are (for the schema diff). */
  readonly workspace?: string
}

/** `sluice plan FILE`: execution levels, critical path and slack. */
export async function planCommand(
  io: CliIo,
  file: string,
  opts: PlanCommandOptions,
): Promise<void> {
  const loaded = await loadForCli(io, resolve(io.cwd, file), {
    params: parseParamArgs(opts.param ?? []),
    envUnset: 'warning',
  })
  const plan = planLoaded(loaded, {
    select: opts.select ?? [],
    exclude: opts.exclude ?? [],
    ...(opts.maxParallel !== undefined && { maxParallel: opts.maxParallel }),
  })
  const spec = loaded.spec
  const contracts = Object.values(spec.tasks).some(
    (t) => (t as { contract?: unknown }).contract !== undefined,
  )
  const schemaChanges =
    (contracts || opts.schema) && opts.workspace !== undefined
      ? await import('../../engine/plan-schema-changes.js').then((m) =>
          m.planSchemaChanges(
            spec,
            opts.workspace!,
            dirname(resolve(io.cwd, file)),
            opts.schema === true,
          ),
        )
      : []
  if (opts.json) {
    io.out(JSON.stringify({ ...plan, schemaChanges }, null, 2))
    return
  }
  const byId = new Map(plan.tasks.map((t) => [t.id, t]))
  io.out(
    `pipeline ${plan.pipeline}: ${plan.tasks.length} task(s) in ${plan.levels.length} batch(es)${plan.maxParallel ? `, at most ${plan.maxParallel} at once` : ''}`,
  )
  plan.levels.forEach((lvl, k) => {
    const names = lvl.map((id) => {
      const t = byId.get(id)!
      const est = t.estimateMs !== undefined ? ` ~${formatDuration(t.estimateMs)}` : ''
      const slack =
        t.slackMs !== undefined && t.slackMs > 0 ? ` slack ${formatDuration(t.slackMs)}` : ''
      return `${t.critical ? '*' : ''}${id}${est}${slack}`
    })
    io.out(`  ${String(k + 1).padStart(3)}. ${names.join(', ')}`)
  })
  for (const [id, deps] of Object.entries(plan.excludedDependencies)) {
    io.out(`  note: ${id} assumes ${deps.join(', ')} already done (not selected)`)
  }
  if (plan.criticalPath) {
    io.out(
      `critical path (${formatDuration(plan.criticalPath.durationMs)}): ${plan.criticalPath.tasks.join(' -> ')}`,
    )
  }
  if (plan.estimatedDurationMs !== undefined)
    io.out(`estimated duration: ${formatDuration(plan.estimatedDurationMs)}`)
  if (schemaChanges.length > 0) {
    io.out('schema changes against the last kept run of each task:')
    for (const c of schemaChanges) {
      io.out(`  ${c.task} (${c.basis}${c.since ? `, since ${c.since}` : ''}):`)
      for (const line of c.diff.split('\n')) io.out(`    ${line}`)
    }
  }
}
