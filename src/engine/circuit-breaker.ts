import { SluiceError } from '../core/sluice-error.js'
import type { Clock } from './clock.js'

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. Default 5. */
  readonly failureThreshold?: number
  /** How long it stays open before letting a trial call through. Default 60 s. */
  readonly resetTimeoutMs?: number
  /** Successes in half-open that close it again. Default 3. */
  readonly successThreshold?: number
}

export type CircuitState = 'closed' | 'open' | 'half-open'

/**
 * One breaker per connection: after repeated failures, calls fail fast (retryable, with the time
 * left as Retry-After) instead of hammering a system that is down.
 */
export class CircuitBreaker {
  private failures = 0
  private successes = 0
  private openedAt = 0
  private current: CircuitState = 'closed'
  private readonly failureThreshold: number
  private readonly resetTimeoutMs: number
  private readonly successThreshold: number

  constructor(
    readonly name: string,
    private readonly clock: Clock,
    options: CircuitBreakerOptions = {},
  ) {
    this.failureThreshold = options.failureThreshold ?? 5
    this.resetTimeoutMs = options.resetTimeoutMs ?? 60_000
    this.successThreshold = options.successThreshold ?? 3
  }

  get state(): CircuitState {
    if (this.current === 'open' && this.clock.now() - this.openedAt >= this.resetTimeoutMs) {
      this.current = 'half-open'
      this.successes = 0
    }
    return this.current
  }

  /** Throws E_CIRCUIT_OPEN while open. */
  check(): void {
    if (this.state !== 'open') return
    const left = this.resetTimeoutMs - (this.clock.now() - this.openedAt)
    throw new SluiceError(
      'E_CIRCUIT_OPEN',
      `circuit for connection ${this.name} is open after ${this.failureThreshold} failures`,
      {
        retryable: true,
        retryAfterMs: Math.max(0, left),
        hint: `it lets a trial call through in ${Math.ceil(left / 1000)}s`,
      },
    )
  }

  recordSuccess(): void {
    if (this.state === 'half-open') {
      if (++this.successes >= this.successThreshold) {
        this.current = 'closed'
        this.failures = 0
      }
    } else this.failures = 0
  }

  recordFailure(): void {
    const s = this.state
    if (s === 'half-open' || ++this.failures >= this.failureThreshold) {
      this.current = 'open'
      this.openedAt = this.clock.now()
      this.failures = this.failureThreshold
    }
  }
}
