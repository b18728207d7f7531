import { hostname } from 'node:os'
import { dirname } from 'node:path'
import { SluiceError } from '../../core/sluice-error.js'
import { compilePipeline } from '../../definition/compile-pipeline.js'
import { loadPipelineFile, loadPipelineText } from '../../definition/load-pipeline.js'
import type { RunRecord } from '../../state/records.js'
import { CliExit } from '../cli-io.js'
import { withStore, type CliContext } from '../cli-context.js'
import { executeRun } from '../execute-run.js'
import { printIssues } from '../print-issues.js'

/** Whether the process named by `owner` (`host:pid`) is alive on this machine. */
export function ownerAlive(owner: string | null): boolean | undefined {
  if (!owner) return undefined
  const [host, pid] = [
    owner.slice(0, owner.lastIndexOf(':')),
    Number(owner.slice(owner.lastIndexOf(':') + 1)),
  ]
  if (host !== hostname() || !Number.isInteger(pid)) return undefined
  try {
    process.kill(pid, 0)
    return pid !== process.pid
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

const STALE_HEARTBEAT_MS = 30_000

/** A RUNNING run is resumable only when its process is gone (dead pid here, or a stale heartbeat). */
export function isOrphaned(run: RunRecord, now = Date.now()): boolean {
  if (run.state !== 'RUNNING') return false
  const alive = ownerAlive(run.owner)
  if (alive !== undefined) return !alive
  const beat = Date.parse(run.heartbeatAt ?? run.createdAt)
  return now - beat > STALE_HEARTBEAT_MS
}

/** The newest run of a pipeline that failed, was cancelled or was orphaned. */
export async function findResumable(
  ctx: CliContext,
  pipeline: string,
): Promise<string | undefined> {
  return withStore(ctx, async (store) => {
    const runs = await store.listRuns({ pipeline, limit: 20 })
    const r = runs.find((x) => x.state === 'FAILED' || x.state === 'CANCELLED' || isOrphaned(x))
    return r?.id
  })
}

/**
 * `sluice resume RUN_ID`: orphaned attempts are marked failed, then FAILED, CANCELLED and SKIPPED
 * tasks run again in the same run, with the definition the run pinned; SUCCESS tasks are kept.
 */
export async function resumeCommand(
  ctx: CliContext,
  runId: string,
  opts: { concurrency?: number; json?: boolean },
): Promise<void> {
  const { io } = ctx
  const store = await ctx.openStore()
  try {
    const run = await store.getRun(runId)
    if (!run)
      throw new SluiceError('E_STATE_NOT_FOUND', `no run ${runId} in ${ctx.workspace()}`, {
        hint: 'list runs with: sluice runs',
      })
    if (run.state === 'RUNNING' && !isOrphaned(run)) {
      throw new SluiceError(
        'E_RUN_NOT_RESUMABLE',
        `run ${runId} is still running (${run.owner ?? 'unknown process'})`,
        {
          hint: `cancel it first: sluice cancel ${runId}`,
        },
      )
    }
    if (run.state === 'SUCCESS')
      throw new SluiceError('E_RUN_NOT_RESUMABLE', `run ${runId} already succeeded`)
    const version = await store.getPipelineVersion(run.pipeline, run.pipelineHash)
    const file = run.file ?? undefined
    const isYaml = file === undefined || /\.ya?ml$/i.test(file)
    if (isYaml && !version)
      throw new SluiceError('E_STATE_NOT_FOUND', `the definition run ${runId} pinned is not stored`)
    const loadOpts = {
      params: run.params,
      env: io.env,
      envUnset: 'error' as const,
      run: { runId },
      displayName: file ?? `<${run.pipeline}>`,
    }
    const loaded = isYaml
      ? loadPipelineText(version!.source, loadOpts)
      : await loadPipelineFile(file, loadOpts)
    if (!loaded.spec) {
      printIssues(io, loaded.issues, loaded.secrets)
      throw new CliExit(1)
    }
    if (!isYaml && loaded.hash !== run.pipelineHash)
      io.err(`warning: ${file} changed since run ${runId} started; resuming with the current file`)
    const taskIds = (await store.listTasks(runId)).map((t) => t.taskId)
    const compiled = compilePipeline(loaded, { select: taskIds })
    await store.close()
    const masked = await ctx.openStore(loaded.secrets)
    try {
      const code = await executeRun(ctx, masked, compiled, {
        runId,
        resume: true,
        ...(file !== undefined && { baseDir: dirname(file) }),
        ...(opts.concurrency !== undefined && { concurrency: opts.concurrency }),
        ...(opts.json !== undefined && { json: opts.json }),
      })
      if (code !== 0) throw new CliExit(code)
    } finally {
      await masked.close()
    }
  } finally {
    await store.close().catch(() => {})
  }
}
