import type { PipelineSpec } from './spec/pipeline-spec.js'

/** What a TS pipeline module's builder receives. */
export interface PipelineBuildContext {
  /** Values given with --param, as strings. */
  readonly params: Readonly<Record<string, string>>
  readonly env: Readonly<Record<string, string | undefined>>
}

export type PipelineDefinition =
  PipelineSpec | ((ctx: PipelineBuildContext) => PipelineSpec | Promise<PipelineSpec>)

/**
 * Types a pipeline written in TypeScript. It returns its argument unchanged: the spec is inert data,
 * loaded, validated and planned exactly like a YAML file.
 *
 * @example
 * export default definePipeline({
 *   name: 'orders_daily',
 *   tasks: {
 *     orders: { type: 'extract', source: { path: 'data/orders.csv' } },
 *     load: { type: 'load', depends_on: ['orders'], destination: { path: 'out/orders.parquet' } },
 *   },
 * })
 */
export function definePipeline<T extends PipelineDefinition>(def: T): T {
  return def
}
