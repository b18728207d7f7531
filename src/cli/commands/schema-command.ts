import { pipelineJsonSchema } from '../../definition/pipeline-json-schema.js'
import type { CliIo } from '../cli-io.js'

/** `sluice schema`: the JSON Schema of pipeline files. */
export function schemaCommand(io: CliIo): void {
  io.out(JSON.stringify(pipelineJsonSchema(), null, 2))
}
