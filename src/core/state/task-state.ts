import { SluiceError } from '../sluice-error.js'

export const TASK_STATES = [
  'PENDING',
  'QUEUED',
  'RUNNING',
  'RETRYING',
  'SUCCESS',
  'FAILED',
  'SKIPPED',
  'CANCELLED',
] as const
export type TaskState = (typeof TASK_STATES)[number]

export const TERMINAL_TASK_STATES: ReadonlySet<TaskState> = new Set([
  'SUCCESS',
  'FAILED',
  'SKIPPED',
  'CANCELLED',
])

/**
 * Allowed task transitions (DESIGN.md §4). Terminal states have no way out: `resume` does not
 * reopen a task, it starts a new attempt record (PENDING) for FAILED, CANCELLED and SKIPPED tasks.
 */
export const TASK_TRANSITIONS: Readonly<Record<TaskState, readonly TaskState[]>> = {
  PENDING: ['QUEUED', 'SKIPPED', 'CANCELLED'],
  QUEUED: ['RUNNING', 'CANCELLED'],
  RUNNING: ['SUCCESS', 'FAILED', 'RETRYING', 'CANCELLED'],
  RETRYING: ['QUEUED', 'CANCELLED'],
  SUCCESS: [],
  FAILED: [],
  SKIPPED: [],
  CANCELLED: [],
}

/** Terminal states that `resume` may reopen (to PENDING, with a new attempt to come). */
export const RESUMABLE_TASK_STATES: ReadonlySet<TaskState> = new Set([
  'FAILED',
  'CANCELLED',
  'SKIPPED',
])

export function canTransitionTask(from: TaskState, to: TaskState): boolean {
  return TASK_TRANSITIONS[from].includes(to)
}

export function isTerminalTaskState(s: TaskState): boolean {
  return TERMINAL_TASK_STATES.has(s)
}

/** Throws E_STATE_TRANSITION when the move is not allowed. */
export function assertTaskTransition(from: TaskState, to: TaskState, task?: string): void {
  if (!canTransitionTask(from, to)) {
    throw new SluiceError('E_STATE_TRANSITION', `task cannot go from ${from} to ${to}`, {
      task,
      hint: `allowed from ${from}: ${TASK_TRANSITIONS[from].join(', ') || 'none (terminal)'}`,
    })
  }
}
