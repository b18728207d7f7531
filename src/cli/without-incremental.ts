import type { PipelineSpec } from '../core/spec/pipeline-spec.js'

/**
 * The spec with `incremental:` taken off the sources of these extract tasks: a backfill run reads
 * the data interval its templates (`{{ data_interval_start }}`) select, and neither reads nor
 * commits the watermark the regular runs use.
 */
export function withoutIncremental(spec: PipelineSpec, tasks: readonly string[]): PipelineSpec {
  const next: Record<string, PipelineSpec['tasks'][string]> = { ...spec.tasks }
  for (const id of tasks) {
    const t = next[id]
    if (t?.type !== 'extract' || t.source.incremental === undefined) continue
    const { incremental: _dropped, ...source } = t.source
    next[id] = { ...t, source }
  }
  return { ...spec, tasks: next }
}
