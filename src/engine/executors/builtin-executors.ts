import type { TaskExecutor } from '../task-context.js'
import { commandExecutor } from './command-executor.js'
import { functionExecutor } from './function-executor.js'
import { noopExecutor } from './noop-executor.js'

/** Executors by task type. Data task types (extract, sql, load, …) register here as they land. */
export const builtinExecutors: Readonly<Record<string, TaskExecutor>> = {
  noop: noopExecutor,
  command: commandExecutor,
  function: functionExecutor,
}
