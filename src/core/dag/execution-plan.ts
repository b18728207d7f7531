/** One task in a plan: inert data the engine walks. */
export interface PlannedTask {
  readonly id: string
  readonly type: string
  readonly dependsOn: readonly string[]
  readonly dependents: readonly string[]
  /** Topological level (0 = no dependencies inside the selection). */
  readonly level: number
  readonly priority: number
  readonly pool?: string
  readonly tags: readonly string[]
  readonly estimateMs?: number
  readonly earliestStartMs?: number
  readonly slackMs?: number
  readonly critical: boolean
}

/** What `plan` computes from a validated pipeline; immutable. */
export interface ExecutionPlan {
  readonly pipeline: string
  /** Tasks in topological order. */
  readonly tasks: readonly PlannedTask[]
  /** Parallel batches, each capped at maxParallel; dependency order preserved. */
  readonly levels: readonly (readonly string[])[]
  readonly maxParallel?: number
  /** Selected tasks whose dependencies outside the selection are taken as done. */
  readonly excludedDependencies: Readonly<Record<string, readonly string[]>>
  readonly criticalPath?: { readonly tasks: readonly string[]; readonly durationMs: number }
  /** Sum over batches of the longest estimate in each, when estimates are known. */
  readonly estimatedDurationMs?: number
}
