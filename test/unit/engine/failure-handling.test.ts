import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SluiceError } from '../../../src/core/sluice-error.js'
import { CircuitBreaker } from '../../../src/engine/circuit-breaker.js'
import { classifyError } from '../../../src/engine/classify-error.js'
import { ManualClock } from '../../../src/engine/manual-clock.js'
import { ReadyQueue } from '../../../src/engine/ready-queue.js'
import {
  DEFAULT_RETRY_POLICY,
  retryDelayMs,
  retryPolicyOf,
} from '../../../src/engine/retry-policy.js'

describe('retry delays', () => {
  const policy = { maxAttempts: 10, initialDelayMs: 1000, maxDelayMs: 60_000, jitter: true }

  it('follow min(max_delay, initial × 2^(n−1)) without jitter', () => {
    const noJitter = { ...policy, jitter: false }
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => retryDelayMs(n, noJitter))).toEqual([
      1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000,
    ])
  })

  it('with full jitter stay within [0, cap] for any random value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (n, r) => {
          const d = retryDelayMs(n, policy, () => r)
          const cap = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (n - 1))
          return d >= 0 && d <= cap && Number.isInteger(d)
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('treat Retry-After as a floor', () => {
    expect(retryDelayMs(1, policy, () => 0.5, 30_000)).toBe(30_000)
    expect(retryDelayMs(8, { ...policy, jitter: false }, () => 0.5, 10)).toBe(60_000)
  })

  it('come from task retries over defaults over built-in defaults', () => {
    expect(retryPolicyOf(undefined, undefined)).toEqual(DEFAULT_RETRY_POLICY)
    expect(retryPolicyOf(5, { max_attempts: 2, initial_delay: '2s' })).toEqual({
      ...DEFAULT_RETRY_POLICY,
      maxAttempts: 5,
      initialDelayMs: 2000,
    })
    expect(retryPolicyOf({ max_delay: '1m', jitter: false }, 4)).toEqual({
      maxAttempts: 4,
      initialDelayMs: 1000,
      maxDelayMs: 60_000,
      jitter: false,
    })
  })
})

describe('circuit breaker', () => {
  it('opens after 5 consecutive failures, half-opens after 60 s, closes after 3 successes', () => {
    const clock = new ManualClock(0)
    const b = new CircuitBreaker('warehouse', clock)
    for (let i = 0; i < 4; i++) b.recordFailure()
    expect(b.state).toBe('closed')
    b.recordSuccess() // a success resets the count
    for (let i = 0; i < 4; i++) b.recordFailure()
    expect(b.state).toBe('closed')
    b.recordFailure()
    expect(b.state).toBe('open')
    let err: unknown
    try {
      b.check()
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(SluiceError)
    expect(err).toMatchObject({ code: 'E_CIRCUIT_OPEN', retryable: true, retryAfterMs: 60_000 })
    clock.advance(59_999)
    expect(b.state).toBe('open')
    clock.advance(1)
    expect(b.state).toBe('half-open')
    expect(() => b.check()).not.toThrow()
    b.recordSuccess()
    b.recordSuccess()
    expect(b.state).toBe('half-open')
    b.recordSuccess()
    expect(b.state).toBe('closed')
  })

  it('reopens on a failure while half-open', () => {
    const clock = new ManualClock(0)
    const b = new CircuitBreaker('api', clock, {
      failureThreshold: 2,
      resetTimeoutMs: 1000,
      successThreshold: 1,
    })
    b.recordFailure()
    b.recordFailure()
    clock.advance(1000)
    expect(b.state).toBe('half-open')
    b.recordFailure()
    expect(b.state).toBe('open')
    clock.advance(999)
    expect(b.state).toBe('open')
  })
})

describe('error classification', () => {
  const err = (props: Record<string, unknown>) => Object.assign(new Error('x'), props)
  it.each([
    [err({ code: 'ECONNRESET' }), 'E_NETWORK', true],
    [err({ code: 'ETIMEDOUT' }), 'E_NETWORK', true],
    [err({ code: '40P01' }), 'E_NETWORK', true], // deadlock
    [err({ code: '28P01' }), 'E_TASK_FAILED', false], // auth
    [err({ code: '42601' }), 'E_TASK_FAILED', false], // syntax
    [err({ status: 429 }), 'E_NETWORK', true],
    [err({ status: 503 }), 'E_NETWORK', true],
    [err({ status: 404 }), 'E_TASK_FAILED', false],
    [err({ statusCode: 401 }), 'E_TASK_FAILED', false],
    [new Error('anything else'), 'E_TASK_FAILED', true],
    ['a string', 'E_TASK_FAILED', true],
  ])('%o → %s (retryable %s)', (e, code, retryable) => {
    expect(classifyError(e)).toMatchObject({ code, retryable })
  })

  it('keeps a SluiceError as it is', () => {
    const e = new SluiceError('E_TASK_FAILED', 'no', { retryable: false })
    expect(classifyError(e)).toBe(e)
  })
})

describe('ready queue', () => {
  it('orders by priority, then critical, then slack, then declaration', () => {
    const q = new ReadyQueue()
    q.push({ index: 3, priority: 0, critical: false, slackMs: 0 })
    q.push({ index: 1, priority: 0, critical: false, slackMs: 5 })
    q.push({ index: 2, priority: 0, critical: true, slackMs: 0 })
    q.push({ index: 4, priority: 9, critical: false, slackMs: 0 })
    q.push({ index: 0, priority: 0, critical: false, slackMs: 0 })
    const order: number[] = []
    for (let e = q.take(() => true); e; e = q.take(() => true)) order.push(e.index)
    expect(order).toEqual([4, 2, 0, 3, 1])
  })

  it('skips entries that do not fit and keeps them', () => {
    const q = new ReadyQueue()
    for (let i = 0; i < 5; i++) q.push({ index: i, priority: 0, critical: false, slackMs: 0 })
    expect(q.take((e) => e.index === 3)?.index).toBe(3)
    expect(q.size).toBe(4)
    expect(q.take(() => false)).toBeUndefined()
    expect(q.size).toBe(4)
  })
})
