import type { z } from 'zod'

/** A task type the pipeline format knows: its name and the schema of its keys (common keys included). */
export interface TaskType<S extends z.ZodType = z.ZodType> {
  readonly type: string
  readonly summary: string
  readonly schema: S
  /** Whether the task produces a dataset downstream tasks can read. */
  readonly producesData: boolean
  /** Whether the task reads its upstream datasets (and so may need `input:`). */
  readonly readsInput: boolean
}
