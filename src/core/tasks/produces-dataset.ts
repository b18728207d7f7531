import { TASK_TYPES } from './task-types.js'

/** The keys of a task that decide whether it leaves a dataset (loose: works on raw specs too). */
export interface DatasetShape {
  readonly type?: unknown
  readonly connection?: unknown
  readonly destination?: unknown
}

/**
 * Whether a task leaves a dataset for downstream SQL: a data-producing type, except a `sql` task
 * that runs inside a database (`connection:`) and an `extract` that copies straight to a
 * `destination:` (neither stages anything).
 */
export function producesDataset(task: DatasetShape): boolean {
  const type = typeof task.type === 'string' ? task.type : ''
  if (!Object.hasOwn(TASK_TYPES, type)) return false
  if (!TASK_TYPES[type as keyof typeof TASK_TYPES].producesData) return false
  if (type === 'sql' && task.connection !== undefined) return false
  if (type === 'extract' && task.destination !== undefined) return false
  return true
}
