export {
  nextFireAfter,
  previousFireBefore,
  fireTimesBetween,
  dataIntervalOf,
  type CronSchedule,
  type DataInterval,
} from './next-fire-times.js'
export { dueFires, type CatchupPolicy, type DueFires, type DueFiresInput } from './due-fires.js'
export { overlapDecision, type OverlapDecision, type OverlapPolicy } from './overlap-decision.js'
export {
  Scheduler,
  resolveSchedule,
  type LaunchRequest,
  type Launcher,
  type ResolvedSchedule,
  type ScheduledPipeline,
  type SchedulerClock,
  type SchedulerOptions,
  type ScheduleStatus,
  type TickResult,
} from './scheduler.js'
export type { LeaderLock } from './leader-lock.js'
export { localLeaderLock } from './local-leader-lock.js'
export {
  PostgresLeaderLock,
  advisoryKey,
  type PostgresLeaderLockOptions,
} from './postgres-leader-lock.js'
export { backfillIntervals, type BackfillIntervalsInput } from './backfill-intervals.js'
export { runBackfill, type BackfillResult, type RunBackfillOptions } from './run-backfill.js'
export {
  fileTrigger,
  type FileArrival,
  type FileTrigger,
  type FileTriggerOptions,
} from './file-trigger.js'
