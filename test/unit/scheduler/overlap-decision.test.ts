import { describe, expect, it } from 'vitest'
import { overlapDecision } from '../../../src/scheduler/overlap-decision.js'

describe('overlapDecision', () => {
  it('starts under every policy when nothing is active or queued', () => {
    for (const p of ['allow', 'skip', 'queue', 'cancel_previous'] as const) {
      expect(overlapDecision(p, [])).toEqual({ action: 'start' })
    }
  })

  it('allow starts a second run next to the active one (SCH-10)', () => {
    expect(overlapDecision('allow', ['r1'], 3)).toEqual({ action: 'start' })
  })

  it('skip skips with the active run named (SCH-11)', () => {
    expect(overlapDecision('skip', ['r1', 'r2'])).toEqual({
      action: 'skip',
      reason: 'run r1, r2 is still active',
    })
  })

  it('queue waits behind an active run or earlier queued fires (SCH-13)', () => {
    expect(overlapDecision('queue', ['r1'])).toEqual({ action: 'queue' })
    expect(overlapDecision('queue', [], 1)).toEqual({ action: 'queue' })
  })

  it('cancel_previous names every active run to cancel (SCH-12)', () => {
    expect(overlapDecision('cancel_previous', ['r1', 'r2'])).toEqual({
      action: 'cancel_previous',
      cancel: ['r1', 'r2'],
    })
  })
})
