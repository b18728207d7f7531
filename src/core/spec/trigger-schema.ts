import { z } from 'zod'
import { durationSchema } from './duration-schema.js'

/** A file landing in a folder starts a run, with its path as a parameter. */
const fileTrigger = z.strictObject({
  file: z.strictObject({
    dir: z.string().min(1).describe('Folder to watch (relative to the pipeline file).'),
    pattern: z.string().optional().describe('Glob of file names, e.g. "*.csv". Default all.'),
    param: z
      .string()
      .optional()
      .describe('The parameter that receives the file path. Default file.'),
    debounce: durationSchema.optional().describe('Wait this long for a file to settle. 500ms.'),
  }),
})

/** Another pipeline finishing starts a run. */
const pipelineTrigger = z.strictObject({
  after: z.strictObject({
    pipeline: z.string().min(1).describe('The upstream pipeline.'),
    on: z
      .enum(['success', 'failure', 'any'])
      .optional()
      .describe('Which outcome of it. Default success.'),
  }),
})

/** Event triggers of `sluice serve` (schedules are under `schedule:`; webhooks need no entry). */
export const triggersSchema = z.array(z.union([fileTrigger, pipelineTrigger]))
export type TriggerSpec = z.infer<typeof triggersSchema>[number]
