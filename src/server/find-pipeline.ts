import { SluiceError } from '../core/sluice-error.js'
import { closest } from '../core/suggest.js'
import type { PipelineInfo, ServiceControl } from './service-control.js'

/** The loaded pipeline of that name, or E_PIPELINE_UNKNOWN (404) with a "did you mean" hint. */
export async function findPipeline(control: ServiceControl, name: string): Promise<PipelineInfo> {
  const all = await control.pipelines()
  const found = all.find((p) => p.name === name)
  if (found) return found
  const guess = closest(
    name,
    all.map((p) => p.name),
  )
  throw new SluiceError('E_PIPELINE_UNKNOWN', `no pipeline named "${name}" is loaded`, {
    hint:
      guess !== undefined
        ? `did you mean "${guess}"?`
        : `list the loaded pipelines with GET /api/v1/pipelines`,
  })
}
