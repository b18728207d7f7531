import type { z } from 'zod'
import type { TASK_TYPES } from '../tasks/task-types.js'
import type { pipelineShape } from './pipeline-schema.js'

type TaskTypes = typeof TASK_TYPES

/** A task of one type, as written in the file (snake_case keys). */
export type TaskSpecOf<K extends keyof TaskTypes> = z.infer<TaskTypes[K]['schema']>

/** Any task, discriminated by `type`. */
export type TaskSpec = { [K in keyof TaskTypes]: TaskSpecOf<K> }[keyof TaskTypes]

type Shape = { [K in keyof typeof pipelineShape]: z.infer<(typeof pipelineShape)[K]> }
type OptionalKeys = { [K in keyof Shape]: undefined extends Shape[K] ? K : never }[keyof Shape]

/** A pipeline as written in YAML or built by `definePipeline()`; inert data. */
export type PipelineSpec = Omit<Shape, OptionalKeys> &
  Partial<Pick<Shape, OptionalKeys>> & {
    tasks: Record<string, TaskSpec>
  }
