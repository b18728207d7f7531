import type { TaskGraph } from '../core/dag/task-graph.js'
import type { SecretMask } from '../core/secret-mask.js'
import type { PipelineSpec } from '../core/spec/pipeline-spec.js'
import type { ResolvedParams } from '../core/template/resolve-params.js'
import type { ValidationIssue } from '../core/validation-issue.js'
import type { PositionMap } from './position-map.js'

/** A pipeline file after parsing, substitution and validation. */
export interface LoadedPipeline {
  readonly file: string
  /** The file's text as written (templates and ${env:…} unresolved: safe to store). */
  readonly source: string
  /** sha256 of the source text: runs pin the definition they ran. */
  readonly hash: string
  /** Present when there are no errors: the substituted, validated spec. */
  readonly spec?: PipelineSpec
  readonly graph: TaskGraph
  readonly params?: ResolvedParams
  readonly issues: readonly ValidationIssue[]
  readonly secrets: SecretMask
  readonly positions?: PositionMap
}
