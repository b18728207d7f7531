import type { TaskExecutor } from '../task-context.js'

export const noopExecutor: TaskExecutor = {
  type: 'noop',
  execute: () => Promise.resolve({}),
}
