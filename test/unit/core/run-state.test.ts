import { describe, expect, it } from 'vitest'
import { SluiceError } from '../../../src/core/sluice-error.js'
import {
  assertRunTransition,
  canTransitionRun,
  RUN_STATES,
  runOutcome,
  TERMINAL_RUN_STATES,
  type RunState,
} from '../../../src/core/state/run-state.js'

/**
 * DESIGN.md §4 plus resume: QUEUED → RUNNING → SUCCESS | FAILED | CANCELLED; QUEUED → CANCELLED;
 * FAILED / CANCELLED → RUNNING (resume). SUCCESS is final. 1 = allowed.
 */
// prettier-ignore
const EXPECTED: Record<RunState, Record<RunState, 0 | 1>> = {
  //          QUEUED     RUNNING     SUCCESS     FAILED     CANCELLED
  QUEUED:    { QUEUED: 0, RUNNING: 1, SUCCESS: 0, FAILED: 0, CANCELLED: 1 },
  RUNNING:   { QUEUED: 0, RUNNING: 0, SUCCESS: 1, FAILED: 1, CANCELLED: 1 },
  SUCCESS:   { QUEUED: 0, RUNNING: 0, SUCCESS: 0, FAILED: 0, CANCELLED: 0 },
  FAILED:    { QUEUED: 0, RUNNING: 1, SUCCESS: 0, FAILED: 0, CANCELLED: 0 },
  CANCELLED: { QUEUED: 0, RUNNING: 1, SUCCESS: 0, FAILED: 0, CANCELLED: 0 },
}

const PAIRS = RUN_STATES.flatMap((from) =>
  RUN_STATES.map((to) => ({ from, to, allowed: EXPECTED[from][to] === 1 })),
)

describe('run state machine', () => {
  it('covers exactly the five run states', () => {
    expect([...RUN_STATES].sort()).toEqual(['CANCELLED', 'FAILED', 'QUEUED', 'RUNNING', 'SUCCESS'])
    expect(PAIRS).toHaveLength(25)
    expect(PAIRS.filter((p) => p.allowed)).toHaveLength(7)
  })

  it.each(PAIRS)('$from -> $to allowed=$allowed', ({ from, to, allowed }) => {
    expect(canTransitionRun(from, to)).toBe(allowed)
    if (allowed) expect(() => assertRunTransition(from, to)).not.toThrow()
    else expect(() => assertRunTransition(from, to)).toThrow(SluiceError)
  })

  it('terminal run states are SUCCESS, FAILED, CANCELLED; only SUCCESS is final', () => {
    expect([...TERMINAL_RUN_STATES].sort()).toEqual(['CANCELLED', 'FAILED', 'SUCCESS'])
    expect(RUN_STATES.filter((t) => canTransitionRun('SUCCESS', t))).toEqual([])
  })

  it('assertRunTransition throws E_STATE_TRANSITION with the allowed targets as hint', () => {
    let err: unknown
    try {
      assertRunTransition('QUEUED', 'SUCCESS')
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(SluiceError)
    const e = err as SluiceError
    expect(e.code).toBe('E_STATE_TRANSITION')
    expect(e.message).toBe('run cannot go from QUEUED to SUCCESS')
    expect(e.hint).toBe('allowed from QUEUED: RUNNING, CANCELLED')
  })

  it('a SUCCESS run says it is terminal', () => {
    expect(() => assertRunTransition('SUCCESS', 'RUNNING')).toThrow(
      expect.objectContaining({
        code: 'E_STATE_TRANSITION',
        hint: 'allowed from SUCCESS: none (terminal)',
      }),
    )
  })
})

describe('runOutcome', () => {
  it('is SUCCESS when no task failed (skipped tasks do not fail the run)', () => {
    expect(runOutcome(['SUCCESS', 'SUCCESS', 'SKIPPED'], false)).toBe('SUCCESS')
  })

  it('is SUCCESS for an empty run', () => {
    expect(runOutcome([], false)).toBe('SUCCESS')
  })

  it('is FAILED when any task failed', () => {
    expect(runOutcome(['SUCCESS', 'FAILED', 'SKIPPED'], false)).toBe('FAILED')
    expect(runOutcome(['FAILED'], false)).toBe('FAILED')
  })

  it('is CANCELLED when the run was cancelled, even with failures', () => {
    expect(runOutcome(['SUCCESS', 'FAILED'], true)).toBe('CANCELLED')
    expect(runOutcome([], true)).toBe('CANCELLED')
  })

  it('accepts any iterable, e.g. a Map of states', () => {
    const states = new Map([
      ['a', 'SUCCESS'],
      ['b', 'FAILED'],
    ])
    expect(runOutcome(states.values(), false)).toBe('FAILED')
    expect(runOutcome(new Set(['SUCCESS']), false)).toBe('SUCCESS')
  })
})
