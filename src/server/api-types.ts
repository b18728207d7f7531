/**
 * The JSON shapes of the HTTP API (docs/api.md), shared by the server and the dashboard's typed
 * client (dashboard/src/api-client.ts). Self-contained on purpose: the dashboard compiles it for
 * the browser, so it imports nothing. test/unit/server/api-types.test.ts checks that the store's
 * records and the service's answers stay assignable to these.
 */

export type ApiRunState = 'QUEUED' | 'RUNNING' | 'SUCCESS' | 'FAILED' | 'CANCELLED'
export type ApiTaskState =
  'PENDING' | 'QUEUED' | 'RUNNING' | 'RETRYING' | 'SUCCESS' | 'FAILED' | 'SKIPPED' | 'CANCELLED'

export type ApiJson = null | boolean | number | string | ApiJson[] | { [key: string]: ApiJson }
export type ApiJsonObject = { [key: string]: ApiJson }

/** `{ error: { code, message, hint? } }`, the body of every error answer. */
export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly hint?: string }
}

export interface ApiErrorInfo {
  readonly code: string
  readonly message: string
  readonly retryable?: boolean
}

export interface ApiScheduleSummary {
  readonly cron: string
  readonly timezone: string
  readonly paused: boolean
  readonly nextRunAt: string | null
}

/** `GET /api/v1/pipelines` entries. */
export interface ApiPipelineSummary {
  readonly name: string
  readonly file: string
  readonly hash: string
  readonly description: string | null
  readonly schedule: ApiScheduleSummary | null
  readonly tasks: number
}

export interface ApiGraphNode {
  readonly id: string
  readonly type: string
  readonly level: number
  readonly state?: ApiTaskState
  readonly critical?: boolean
  readonly description?: string
}

export interface ApiGraph {
  readonly pipeline: string
  readonly nodes: readonly ApiGraphNode[]
  readonly edges: readonly { readonly from: string; readonly to: string }[]
}

export type ApiParamValue = string | number | boolean | null | (string | number | boolean | null)[]

/** A declared param of a pipeline (`params:` in its file): a bare default, or typed. */
export type ApiParamDecl =
  | ApiParamValue
  | {
      readonly type?:
        'string' | 'integer' | 'number' | 'boolean' | 'date' | 'timestamp' | 'duration' | 'list'
      readonly default?: ApiParamValue
      /** Default: true when there is no default. */
      readonly required?: boolean
      readonly description?: string
      /** Allowed values. */
      readonly values?: readonly (string | number | boolean | null)[]
    }

/** `GET /api/v1/pipelines/:name`: the summary, the masked definition and the graph. */
export interface ApiPipelineDetail extends ApiPipelineSummary {
  readonly spec: {
    readonly name: string
    readonly params?: Readonly<Record<string, ApiParamDecl>>
    readonly tasks: Readonly<Record<string, ApiJsonObject>>
    readonly [key: string]: unknown
  }
  readonly graph: ApiGraph
}

/** `GET /api/v1/pipelines/:name/versions` entries; `version` null: the loaded file never ran. */
export interface ApiPipelineVersion {
  readonly version: number | null
  readonly hash: string
  readonly createdAt: string | null
  readonly source: string
  readonly current: boolean
  readonly runs: number
  readonly lastRunAt: string | null
}

export interface ApiRun {
  readonly id: string
  readonly pipeline: string
  readonly pipelineHash: string
  readonly params: ApiJsonObject
  readonly trigger: string
  readonly state: ApiRunState
  readonly owner: string | null
  readonly heartbeatAt: string | null
  readonly cancelRequestedAt: string | null
  readonly file: string | null
  readonly createdAt: string
  readonly startedAt: string | null
  readonly finishedAt: string | null
  readonly error: ApiErrorInfo | null
  readonly groupId: string | null
  readonly scheduledFor: string | null
}

export interface ApiRunPage {
  readonly runs: readonly ApiRun[]
  readonly nextCursor: string | null
  readonly limit: number
}

export interface ApiAttempt {
  readonly attempt: number
  readonly state: ApiTaskState
  readonly createdAt: string
  readonly startedAt: string | null
  readonly finishedAt: string | null
  readonly error: ApiErrorInfo | null
  readonly rowsIn: number | null
  readonly rowsOut: number | null
  readonly bytes: number | null
  readonly durationMs: number | null
  readonly outputs: ApiJson
}

export interface ApiTask {
  readonly runId: string
  readonly taskId: string
  readonly state: ApiTaskState
  readonly attempt: number
  readonly updatedAt: string
  readonly attempts: readonly ApiAttempt[]
}

/** `GET /api/v1/runs/:id`. */
export interface ApiRunDetail extends ApiRun {
  readonly tasks: readonly ApiTask[]
}

export interface ApiEvent {
  readonly id: number
  readonly runId: string | null
  readonly type: string
  readonly actor: string
  readonly at: string
  readonly data: ApiJsonObject
}

export interface ApiLogLine {
  readonly id: number
  readonly runId: string
  readonly taskId: string
  readonly attempt: number
  readonly stream: 'stdout' | 'stderr' | 'log'
  readonly text: string
  readonly at: string
}

export interface ApiCheckResult {
  readonly id: number
  readonly runId: string
  readonly pipeline: string
  readonly taskId: string
  readonly attempt: number
  readonly name: string
  readonly type: string
  readonly severity: 'error' | 'warn'
  readonly status: 'pass' | 'fail'
  readonly failing: number
  readonly total: number
  readonly message: string
  readonly sample: readonly ApiJson[]
  readonly at: string
}

export interface ApiSchedule extends ApiScheduleSummary {
  readonly pipeline: string
  readonly overlap: 'skip' | 'queue' | 'allow'
  readonly catchup: boolean
  readonly pausedReason: string | null
  readonly lastRunAt: string | null
  readonly lastRunId: string | null
  readonly updatedAt: string | null
}

/** A record a task quarantined: where it was (file and line, or table and row), why, its text. */
export interface ApiReject {
  readonly file: string
  readonly line: number
  readonly reason: string
  readonly raw: string
}

/** One delivery (or suppression) of an alert by `sluice serve --alerts`. */
export interface ApiAlert {
  readonly at: string
  /** The incident (dedupe) key. */
  readonly key: string
  readonly rule: string
  readonly kind: string
  readonly severity: string
  readonly title: string
  readonly pipeline: string
  readonly runId: string | null
  readonly channel: string
  readonly status: 'sent' | 'suppressed' | 'failed'
  readonly error: string | null
}

export interface ApiBackfill {
  readonly groupId: string
  readonly pipeline: string
  readonly from: string
  readonly to: string
  readonly concurrency: number
  readonly runs: readonly string[]
  readonly createdAt: string
}

export interface ApiDeadLetter {
  readonly id: number
  readonly runId: string
  readonly taskId: string
  readonly attempt: number
  readonly error: ApiErrorInfo
  readonly inputs: ApiJson
  readonly createdAt: string
  readonly requeuedAt: string | null
}

export interface ApiDeadLetterPage {
  readonly deadLetters: readonly ApiDeadLetter[]
  readonly total: number
  readonly nextOffset: number | null
}

export interface ApiLineageNode {
  readonly id: string
  readonly kind: 'dataset' | 'task'
  readonly name: string
  readonly pipeline?: string
}

export interface ApiLineage {
  readonly nodes: readonly ApiLineageNode[]
  readonly edges: readonly { readonly from: string; readonly to: string }[]
}

export interface ApiDatasetField {
  readonly name: string
  readonly type: string
  readonly nullable: boolean
  /** Column-level lineage: the upstream columns this one is computed from. */
  readonly inputs: readonly { readonly dataset: string; readonly column: string }[]
  readonly transformation: string | null
}

/** `GET /api/v1/datasets` entries: schema and rows of the producing pipeline's latest run. */
export interface ApiDataset {
  /** `namespace:name`, as `GET /api/v1/lineage?dataset=` takes it. */
  readonly id: string
  readonly namespace: string
  readonly name: string
  readonly pipeline: string | null
  readonly producer: string | null
  readonly rows: number | null
  readonly runId: string | null
  readonly fields: readonly ApiDatasetField[]
  /** `pipeline.task` of the tasks reading and writing it. */
  readonly readBy: readonly string[]
  readonly writtenBy: readonly string[]
  /** Rows its writing tasks quarantined in that run (`on_error: quarantine`), null if none. */
  readonly rejected: number | null
  /** Where those rows are kept (`sluice rejects RUN TASK` reads them). */
  readonly rejects: readonly {
    readonly task: string
    readonly rows: number
    readonly path: string | null
  }[]
}

export interface ApiHealth {
  readonly status: string
  readonly version: string
}
