import { z } from 'zod'
import { fullPipelineSchema } from '../core/spec/pipeline-schema.js'

/** The JSON Schema of a pipeline file, for editors (yaml-language-server) and tools. */
export function pipelineJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(fullPipelineSchema(), { unrepresentable: 'any', io: 'input' })
  return {
    ...schema,
    $id: 'https://sluice.dev/schema/pipeline.json',
    title: 'sluice pipeline',
  }
}
