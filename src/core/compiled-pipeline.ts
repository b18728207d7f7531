import type { ExecutionPlan } from './dag/execution-plan.js'
import type { SecretMask } from './secret-mask.js'
import type { PipelineSpec } from './spec/pipeline-spec.js'

/** A validated pipeline compiled for one run: what the engine executes. Inert data. */
export interface CompiledPipeline {
  readonly spec: PipelineSpec
  readonly plan: ExecutionPlan
  /** The definition's text as written (templates and ${env:…} unresolved) and its sha256. */
  readonly source: string
  readonly hash: string
  /** The file it came from (or `<…>` for text and objects). */
  readonly file: string
  /** Resolved pipeline params. */
  readonly params: Readonly<Record<string, unknown>>
  /** Masks secret values wherever something is printed or stored. */
  readonly secrets: SecretMask
}
