/**
 * sluice: ETL pipelines as DAGs for TypeScript and Node.js.
 * @module
 */
export {
  definePipeline,
  type PipelineBuildContext,
  type PipelineDefinition,
} from './core/define-pipeline.js'
export type { PipelineSpec, TaskSpec, TaskSpecOf } from './core/spec/pipeline-spec.js'
export type { SourceSpec, DestinationSpec } from './core/spec/io-schema.js'
export { SluiceError, isSluiceError, type SluiceErrorOptions } from './core/sluice-error.js'
export { DefinitionError } from './core/definition-error.js'
export { ERROR_CODES, type ErrorCode } from './core/error-codes.js'
export {
  formatIssue,
  hasErrors,
  type ValidationIssue,
  type Severity,
} from './core/validation-issue.js'
export { parseDuration, formatDuration } from './core/duration.js'
export { SecretMask } from './core/secret-mask.js'
export { TASK_TYPES, TASK_TYPE_NAMES, type TaskTypeName } from './core/tasks/task-types.js'
export type { ExecutionPlan, PlannedTask } from './core/dag/execution-plan.js'
export { planGraphView } from './core/dag/plan-graph-view.js'
export * from './core/render/index.js'
export * from './core/state/task-state.js'
export * from './core/state/run-state.js'
export {
  loadPipelineFile,
  loadPipelineText,
  loadPipelineSpec,
  type LoadOptions,
} from './definition/load-pipeline.js'
export type { LoadedPipeline } from './definition/loaded-pipeline.js'
export { planLoaded } from './definition/plan-loaded.js'
export { pipelineJsonSchema } from './definition/pipeline-json-schema.js'
export { runCli } from './cli/run-cli.js'
export { run, type RunOptions } from './run.js'
export { RunEvents, type RunEventMap } from './engine/run-events.js'
export {
  runPipeline,
  type RunPipelineOptions,
  type RunResult,
  type TaskResult,
} from './engine/run-pipeline.js'
export type { TaskContext, TaskExecutor, TaskOutcome, Json } from './engine/task-context.js'
export { ManualClock } from './engine/manual-clock.js'
export { systemClock, type Clock } from './engine/clock.js'
export { compilePipeline } from './definition/compile-pipeline.js'
export type { CompiledPipeline } from './core/compiled-pipeline.js'
export type { StateStore } from './state/state-store.js'
export { SqliteStateStore } from './state/sqlite/sqlite-state-store.js'
export { PostgresStateStore } from './state/postgres/postgres-state-store.js'
export { openStateStore } from './state/open-state-store.js'
export type { Row, TransformContext } from './transforms/code/code-transform-options.js'
export type { CheckSpec } from './core/spec/check-schema.js'
export type { TransformOp } from './core/spec/transform-op-schema.js'
