import { resolve } from 'node:path'
import { newRunId } from '../../core/new-run-id.js'
import { compilePipeline } from '../../definition/compile-pipeline.js'
import { loadPipelineFile } from '../../definition/load-pipeline.js'
import { CliExit, type CliIo } from '../cli-io.js'
import type { CliContext } from '../cli-context.js'
import { executeRun } from '../execute-run.js'
import { loadForCli } from '../load-for-cli.js'
import { parseParamArgs } from '../parse-param-args.js'
import { findResumable, resumeCommand } from './resume-command.js'

export interface RunCommandOptions {
  readonly param?: string[]
  readonly select?: string[]
  readonly exclude?: string[]
  readonly concurrency?: number
  readonly json?: boolean
  readonly runId?: string
  readonly resumeLatest?: boolean
}

/** `sluice run FILE`: validate, plan, execute durably with live progress. */
export async function runCommand(
  ctx: CliContext,
  file: string,
  opts: RunCommandOptions,
): Promise<void> {
  const io: CliIo = ctx.io
  const path = resolve(io.cwd, file)
  const params = parseParamArgs(opts.param ?? [])
  const probe = await loadForCli(io, path, { params, envUnset: 'error' })
  if (opts.resumeLatest) {
    const latest = await findResumable(ctx, probe.spec.name)
    if (latest) {
      io.err(`resuming ${latest} (the latest unfinished run of ${probe.spec.name})`)
      return resumeCommand(ctx, latest, opts)
    }
  }
  const runId = opts.runId ?? newRunId(probe.spec.name)
  const loaded = await loadPipelineFile(path, {
    params,
    env: io.env,
    envUnset: 'error',
    run: { runId },
    displayName: probe.file,
  })
  const compiled = compilePipeline(loaded, {
    select: opts.select ?? [],
    exclude: opts.exclude ?? [],
  })
  const store = await ctx.openStore(loaded.secrets)
  try {
    const code = await executeRun(
      ctx,
      store,
      { ...compiled, file: path },
      {
        runId,
        resume: false,
        ...(opts.concurrency !== undefined && { concurrency: opts.concurrency }),
        ...(opts.json !== undefined && { json: opts.json }),
      },
    )
    if (code !== 0) throw new CliExit(code)
  } finally {
    await store.close()
  }
}
