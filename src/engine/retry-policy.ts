import { parseDuration } from '../core/duration.js'
import type { RetriesSpec } from '../core/spec/retry-schema.js'

/** A task's retry policy in milliseconds. `maxAttempts` counts the first try. */
export interface RetryPolicy {
  readonly maxAttempts: number
  readonly initialDelayMs: number
  readonly maxDelayMs: number
  readonly jitter: boolean
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 3,
  initialDelayMs: 1000,
  maxDelayMs: 300_000,
  jitter: true,
}

/** Task `retries:` over `defaults.retries:` over the built-in default. */
export function retryPolicyOf(
  task: RetriesSpec | undefined,
  defaults: RetriesSpec | undefined,
): RetryPolicy {
  let p = DEFAULT_RETRY_POLICY
  for (const spec of [defaults, task]) {
    if (spec === undefined) continue
    if (typeof spec === 'number') p = { ...p, maxAttempts: spec }
    else {
      p = {
        maxAttempts: spec.max_attempts ?? p.maxAttempts,
        initialDelayMs:
          spec.initial_delay === undefined
            ? p.initialDelayMs
            : (parseDuration(spec.initial_delay) ?? p.initialDelayMs),
        maxDelayMs:
          spec.max_delay === undefined
            ? p.maxDelayMs
            : (parseDuration(spec.max_delay) ?? p.maxDelayMs),
        jitter: spec.jitter ?? p.jitter,
      }
    }
  }
  return p
}

/**
 * Delay before the next try after `failedAttempt` (1 = the first try) failed:
 * min(max_delay, initial_delay × 2^(failedAttempt−1)), with full jitter (uniform in [0, that]).
 * A server's Retry-After is a floor: we never come back sooner than asked.
 */
export function retryDelayMs(
  failedAttempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
  retryAfterMs?: number,
): number {
  const exp = policy.initialDelayMs * 2 ** Math.max(0, failedAttempt - 1)
  const cap = Math.min(policy.maxDelayMs, exp)
  const delay = policy.jitter ? Math.floor(random() * cap) : cap
  return retryAfterMs !== undefined && retryAfterMs > delay ? retryAfterMs : delay
}
