import type { CompiledPipeline } from '../core/compiled-pipeline.js'
import type { PlanOptions } from '../core/dag/plan-pipeline.js'
import { DefinitionError } from '../core/definition-error.js'
import type { LoadedPipeline } from './loaded-pipeline.js'
import { planLoaded } from './plan-loaded.js'

/** A loaded pipeline planned for a run; throws DefinitionError (every issue) when it has errors. */
export function compilePipeline(
  loaded: LoadedPipeline,
  options: PlanOptions = {},
): CompiledPipeline {
  if (!loaded.spec) throw new DefinitionError(loaded.issues)
  return {
    spec: loaded.spec,
    plan: planLoaded(loaded, options),
    source: loaded.source,
    hash: loaded.hash,
    file: loaded.file,
    params: loaded.params?.values ?? {},
    secrets: loaded.secrets,
  }
}
