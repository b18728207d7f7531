import { describe, expect, it } from 'vitest'
import { SluiceError } from '../../../src/core/sluice-error.js'
import {
  assertTaskTransition,
  canTransitionTask,
  isTerminalTaskState,
  RESUMABLE_TASK_STATES,
  TASK_STATES,
  TERMINAL_TASK_STATES,
  type TaskState,
} from '../../../src/core/state/task-state.js'

/**
 * DESIGN.md §4, written out by hand: PENDING → QUEUED → RUNNING → SUCCESS | FAILED;
 * RUNNING → RETRYING → QUEUED; PENDING → SKIPPED; any non-terminal → CANCELLED; terminal states
 * (SUCCESS, FAILED, SKIPPED, CANCELLED) have no way out. 1 = allowed.
 */
// prettier-ignore
const EXPECTED: Record<TaskState, Record<TaskState, 0 | 1>> = {
  //          PENDING      QUEUED     RUNNING     RETRYING     SUCCESS     FAILED     SKIPPED     CANCELLED
  PENDING:   { PENDING: 0, QUEUED: 1, RUNNING: 0, RETRYING: 0, SUCCESS: 0, FAILED: 0, SKIPPED: 1, CANCELLED: 1 },
  QUEUED:    { PENDING: 0, QUEUED: 0, RUNNING: 1, RETRYING: 0, SUCCESS: 0, FAILED: 0, SKIPPED: 0, CANCELLED: 1 },
  RUNNING:   { PENDING: 0, QUEUED: 0, RUNNING: 0, RETRYING: 1, SUCCESS: 1, FAILED: 1, SKIPPED: 0, CANCELLED: 1 },
  RETRYING:  { PENDING: 0, QUEUED: 1, RUNNING: 0, RETRYING: 0, SUCCESS: 0, FAILED: 0, SKIPPED: 0, CANCELLED: 1 },
  SUCCESS:   { PENDING: 0, QUEUED: 0, RUNNING: 0, RETRYING: 0, SUCCESS: 0, FAILED: 0, SKIPPED: 0, CANCELLED: 0 },
  FAILED:    { PENDING: 0, QUEUED: 0, RUNNING: 0, RETRYING: 0, SUCCESS: 0, FAILED: 0, SKIPPED: 0, CANCELLED: 0 },
  SKIPPED:   { PENDING: 0, QUEUED: 0, RUNNING: 0, RETRYING: 0, SUCCESS: 0, FAILED: 0, SKIPPED: 0, CANCELLED: 0 },
  CANCELLED: { PENDING: 0, QUEUED: 0, RUNNING: 0, RETRYING: 0, SUCCESS: 0, FAILED: 0, SKIPPED: 0, CANCELLED: 0 },
}

const PAIRS = TASK_STATES.flatMap((from) =>
  TASK_STATES.map((to) => ({ from, to, allowed: EXPECTED[from][to] === 1 })),
)

describe('task state machine', () => {
  it('covers exactly the eight states of DESIGN.md §4', () => {
    expect([...TASK_STATES].sort()).toEqual(
      [
        'CANCELLED',
        'FAILED',
        'PENDING',
        'QUEUED',
        'RETRYING',
        'RUNNING',
        'SKIPPED',
        'SUCCESS',
      ].sort(),
    )
    expect(PAIRS).toHaveLength(64)
    expect(PAIRS.filter((p) => p.allowed)).toHaveLength(11)
  })

  it.each(PAIRS)('$from -> $to allowed=$allowed', ({ from, to, allowed }) => {
    expect(canTransitionTask(from, to)).toBe(allowed)
    if (allowed) {
      expect(() => assertTaskTransition(from, to)).not.toThrow()
    } else {
      expect(() => assertTaskTransition(from, to)).toThrow(SluiceError)
    }
  })

  it('terminal states are exactly SUCCESS, FAILED, SKIPPED, CANCELLED and have no way out', () => {
    expect([...TERMINAL_TASK_STATES].sort()).toEqual(['CANCELLED', 'FAILED', 'SKIPPED', 'SUCCESS'])
    for (const s of TASK_STATES) {
      expect(isTerminalTaskState(s)).toBe(TERMINAL_TASK_STATES.has(s))
      if (isTerminalTaskState(s)) {
        expect(TASK_STATES.filter((t) => canTransitionTask(s, t))).toEqual([])
      }
    }
  })

  it('every non-terminal state can be cancelled', () => {
    for (const s of TASK_STATES.filter((t) => !isTerminalTaskState(t))) {
      expect(canTransitionTask(s, 'CANCELLED')).toBe(true)
    }
  })

  it('resume reopens FAILED, CANCELLED and SKIPPED but not SUCCESS', () => {
    expect([...RESUMABLE_TASK_STATES].sort()).toEqual(['CANCELLED', 'FAILED', 'SKIPPED'])
    expect(RESUMABLE_TASK_STATES.has('SUCCESS')).toBe(false)
  })
})

describe('assertTaskTransition', () => {
  function caught(fn: () => void): SluiceError {
    try {
      fn()
    } catch (e) {
      if (e instanceof SluiceError) return e
      throw new Error(`expected a SluiceError, got ${String(e)}`)
    }
    throw new Error('expected a throw')
  }

  it('throws E_STATE_TRANSITION naming both states, with a hint listing the allowed targets', () => {
    const e = caught(() => assertTaskTransition('PENDING', 'SUCCESS', 'load'))
    expect(e.code).toBe('E_STATE_TRANSITION')
    expect(e.message).toBe('task cannot go from PENDING to SUCCESS')
    expect(e.hint).toBe('allowed from PENDING: QUEUED, SKIPPED, CANCELLED')
    expect(e.task).toBe('load')
    expect(e.retryable).toBe(false)
  })

  it('lists every allowed target of RUNNING in the hint', () => {
    const e = caught(() => assertTaskTransition('RUNNING', 'PENDING'))
    const listed = e.hint!.replace('allowed from RUNNING: ', '').split(', ').sort()
    expect(listed).toEqual(['CANCELLED', 'FAILED', 'RETRYING', 'SUCCESS'])
    expect(e.task).toBeUndefined()
  })

  it('says a terminal state allows nothing', () => {
    const e = caught(() => assertTaskTransition('SUCCESS', 'QUEUED'))
    expect(e.hint).toBe('allowed from SUCCESS: none (terminal)')
    expect(e.toLine()).toBe(
      'error E_STATE_TRANSITION task cannot go from SUCCESS to QUEUED; allowed from SUCCESS: none (terminal)',
    )
  })
})
