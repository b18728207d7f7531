import { SluiceError } from '../sluice-error.js'

export const RUN_STATES = ['QUEUED', 'RUNNING', 'SUCCESS', 'FAILED', 'CANCELLED'] as const
export type RunState = (typeof RUN_STATES)[number]

export const TERMINAL_RUN_STATES: ReadonlySet<RunState> = new Set([
  'SUCCESS',
  'FAILED',
  'CANCELLED',
])

/**
 * Allowed run transitions (DESIGN.md §4). A finished run that is resumed goes back to RUNNING
 * (FAILED/CANCELLED → RUNNING); a SUCCESS run is final.
 */
export const RUN_TRANSITIONS: Readonly<Record<RunState, readonly RunState[]>> = {
  QUEUED: ['RUNNING', 'CANCELLED'],
  RUNNING: ['SUCCESS', 'FAILED', 'CANCELLED'],
  SUCCESS: [],
  FAILED: ['RUNNING'],
  CANCELLED: ['RUNNING'],
}

export function canTransitionRun(from: RunState, to: RunState): boolean {
  return RUN_TRANSITIONS[from].includes(to)
}

export function assertRunTransition(from: RunState, to: RunState): void {
  if (!canTransitionRun(from, to)) {
    throw new SluiceError('E_STATE_TRANSITION', `run cannot go from ${from} to ${to}`, {
      hint: `allowed from ${from}: ${RUN_TRANSITIONS[from].join(', ') || 'none (terminal)'}`,
    })
  }
}

/** A run's outcome from its tasks' terminal states: any FAILED fails it; CANCELLED wins if cancelled. */
export function runOutcome(taskStates: Iterable<string>, cancelled: boolean): RunState {
  if (cancelled) return 'CANCELLED'
  for (const s of taskStates) if (s === 'FAILED') return 'FAILED'
  return 'SUCCESS'
}
