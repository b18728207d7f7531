import type { ApiAlert, ApiReject } from './api-types.js'
import type { GraphView } from '../core/render/graph-view.js'
import type { PipelineSpec } from '../core/spec/pipeline-spec.js'
import type { JsonObject } from '../state/records.js'

/** A value or a promise of it: implementations may answer from memory or from a store. */
export type MaybePromise<T> = T | Promise<T>

/** Who asked, for the audit trail: `api` (REST call) or `webhook` (`POST …/trigger`). */
export type Actor = string

/** A schedule as the pipeline list shows it. */
export interface ScheduleSummary {
  readonly cron: string
  /** IANA time zone; `UTC` when the file names none. */
  readonly timezone: string
  readonly paused: boolean
  /** ISO-8601 UTC; null while paused. */
  readonly nextRunAt: string | null
}

/** One loaded pipeline of the running service. */
export interface PipelineInfo {
  readonly name: string
  /** The definition file it was loaded from. */
  readonly file: string
  /** The definition hash a new run would pin. */
  readonly hash: string
  readonly description?: string
  readonly schedule: ScheduleSummary | null
  /** The definition as loaded; the API masks connection URLs before it returns them. */
  readonly spec: PipelineSpec
  /** Tasks and edges, as `sluice graph` draws them. */
  readonly graph: GraphView
}

/** A schedule with its state and statistics (SMI-06). */
export interface ScheduleInfo extends ScheduleSummary {
  readonly pipeline: string
  readonly overlap: 'skip' | 'queue' | 'allow'
  readonly catchup: boolean
  readonly pausedReason: string | null
  readonly lastRunAt: string | null
  readonly lastRunId: string | null
  readonly updatedAt: string | null
}

/** A group of runs queued by one backfill request. */
export interface BackfillInfo {
  readonly groupId: string
  readonly pipeline: string
  /** Inclusive interval bounds as given (ISO date or timestamp). */
  readonly from: string
  readonly to: string
  readonly concurrency: number
  /** Run ids, oldest interval first. */
  readonly runs: readonly string[]
  readonly createdAt: string
}

/** A record a task quarantined: where it was (file and line, or table and row), why, its text. */
export type RejectInfo = ApiReject

/** One delivery (or suppression) of an alert by `sluice serve --alerts`. */
export type AlertInfo = ApiAlert

export type LineageDirection = 'upstream' | 'downstream' | 'both'

/** What a lineage query starts from: a dataset (URI or table name) or one task of a pipeline. */
export type LineageQuery =
  { readonly dataset: string } | { readonly pipeline: string; readonly task: string }

export interface LineageNode {
  /** Stable id: `dataset:<name>` or `task:<pipeline>.<task>`. */
  readonly id: string
  readonly kind: 'dataset' | 'task'
  readonly name: string
  readonly pipeline?: string
}

/** A lineage subgraph; edges point from producer to consumer. */
export interface LineageGraph {
  readonly nodes: readonly LineageNode[]
  readonly edges: readonly { readonly from: string; readonly to: string }[]
}

/**
 * What the HTTP API needs from the running service (`sluice serve`), as data and functions, so that
 * src/server depends on neither the engine nor the scheduler. Mutating calls only queue or record
 * work; none of them runs a pipeline inside the request. Implementations throw SluiceErrors:
 * E_PIPELINE_UNKNOWN for a name that is not loaded, E_STATE_NOT_FOUND for a missing run or
 * schedule, E_PARAM_* for params the pipeline rejects, E_RUN_NOT_RESUMABLE / E_STATE_TRANSITION
 * for a run in the wrong state; `errorStatus` maps them to HTTP statuses.
 */
export interface ServiceControl {
  /** Every loaded pipeline, sorted by name. */
  pipelines(): MaybePromise<readonly PipelineInfo[]>
  /** Queues a run (validating params against the definition); never waits for it. */
  trigger(
    pipeline: string,
    params: JsonObject,
    options: { readonly dedupeKey?: string; readonly actor: Actor },
  ): Promise<{ readonly runId: string; readonly deduplicated: boolean }>
  /** Asks the process running the run to cancel it. */
  cancel(runId: string, actor: Actor): Promise<void>
  /** Re-queues a FAILED or CANCELLED run; returns the tasks that will run again. */
  resume(runId: string, actor: Actor): Promise<{ readonly tasks: readonly string[] }>
  schedules(): MaybePromise<readonly ScheduleInfo[]>
  pauseSchedule(pipeline: string, reason: string, actor: Actor): Promise<ScheduleInfo>
  resumeSchedule(pipeline: string, actor: Actor): Promise<ScheduleInfo>
  /** Queues one run per interval in [from, to]; at most `concurrency` run at once. */
  backfill(
    pipeline: string,
    request: {
      readonly from: string
      readonly to: string
      readonly concurrency: number
      readonly params: JsonObject
    },
    actor: Actor,
  ): Promise<{ readonly groupId: string; readonly runs: readonly string[] }>
  /** Every backfill group, newest first. */
  backfills(): MaybePromise<readonly BackfillInfo[]>
  lineage(query: LineageQuery, direction: LineageDirection): Promise<LineageGraph>
  /** Prometheus exposition text. */
  metrics(): Promise<{ readonly contentType: string; readonly body: string }>
  /** The records a task of a run quarantined (at most `limit`) and how many in all. */
  rejects?(
    runId: string,
    taskId: string,
    limit: number,
  ): Promise<{ readonly rejects: readonly RejectInfo[]; readonly total: number }>
  /** Alerts delivered lately, newest first; undefined when no alerts file is configured. */
  alerts?(): MaybePromise<readonly AlertInfo[] | undefined>
}
