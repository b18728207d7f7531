import { resolve } from 'node:path'
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
  if (opts.json) {
    io.out(JSON.stringify(plan, null, 2))
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
}
