import type { JsonObject } from '../state/records.js'
import type { StateStore } from '../state/state-store.js'
import type { DataInterval } from './next-fire-times.js'
import type { Launcher } from './scheduler.js'

export interface RunBackfillOptions {
  readonly store: StateStore
  readonly launcher: Pick<Launcher, 'launch'>
  readonly pipeline: string
  readonly hash: string
  readonly params: JsonObject
  /** From backfillIntervals(), oldest first. */
  readonly intervals: readonly DataInterval[]
  /** Names the backfill: its runs carry it (`listRuns({ groupId })`); the same id resumes it. */
  readonly groupId: string
  /** Called after each interval (for progress output). */
  readonly onInterval?: (interval: DataInterval, runId: string, resumed: boolean) => void
}

export interface BackfillResult {
  /** Run id per interval, in interval order. */
  readonly runIds: readonly string[]
  /** How many intervals already had a run from an earlier attempt of this group. */
  readonly reused: number
}

const keyOf = (groupId: string, i: DataInterval) =>
  `backfill:${groupId}:${i.start.toISOString()}/${i.end.toISOString()}`

/**
 * Launches one `backfill` run per interval, all in one group. Resumable: each interval is claimed
 * by a trigger key (group + interval), so running the same group again launches only the
 * intervals that have no run yet (a claim whose launch crashed is matched to its run by
 * group and scheduledFor, or launched). Run one backfill per group at a time.
 */
export async function runBackfill(options: RunBackfillOptions): Promise<BackfillResult> {
  const { store, pipeline, groupId } = options
  const runIds: string[] = []
  let reused = 0
  for (const interval of options.intervals) {
    const key = keyOf(groupId, interval)
    let runId: string | null | undefined
    if (!(await store.claimTriggerKey(pipeline, key, new Date()))) {
      runId = await store.getTriggerRun(pipeline, key)
      if (runId == null) {
        const runs = await store.listRuns({ pipeline, groupId, scheduledFor: interval.end })
        runId = runs[0]?.id
        if (runId !== undefined) await store.setTriggerRun(pipeline, key, runId)
      }
    }
    const resumed = runId != null
    if (runId == null) {
      const launched = await options.launcher.launch({
        pipeline,
        hash: options.hash,
        params: options.params,
        trigger: 'backfill',
        scheduledFor: interval.end,
        dataInterval: interval,
        logicalDate: interval.start,
        groupId,
        dedupeKey: key,
      })
      if (!launched) continue
      runId = launched.runId
      await store.setTriggerRun(pipeline, key, runId)
    } else {
      reused++
    }
    runIds.push(runId)
    options.onInterval?.(interval, runId, resumed)
  }
  return { runIds, reused }
}
