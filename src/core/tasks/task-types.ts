import { checkTask } from './check-task.js'
import { commandTask } from './command-task.js'
import { extractTask } from './extract-task.js'
import { functionTask } from './function-task.js'
import { loadTask } from './load-task.js'
import { noopTask } from './noop-task.js'
import { pipelineTask } from './pipeline-task.js'
import { sqlTask } from './sql-task.js'
import { transformTask } from './transform-task.js'

/** Every built-in task type, as data. */
export const TASK_TYPES = {
  extract: extractTask,
  sql: sqlTask,
  transform: transformTask,
  check: checkTask,
  load: loadTask,
  command: commandTask,
  function: functionTask,
  noop: noopTask,
  pipeline: pipelineTask,
} as const

export type TaskTypeName = keyof typeof TASK_TYPES
export const TASK_TYPE_NAMES = Object.keys(TASK_TYPES) as TaskTypeName[]
