import { sleep } from './sleep.js'

/**
 * A token bucket (as GCRA): `rps` requests per second, `burst` of them at once. `acquire` reserves
 * a slot synchronously, so concurrent callers never share one, then sleeps until it comes.
 */
export class RateLimiter {
  private tat = 0
  private readonly interval: number
  private readonly tolerance: number

  constructor(
    readonly rps: number,
    readonly burst = 1,
  ) {
    this.interval = 1000 / rps
    this.tolerance = (Math.max(1, burst) - 1) * this.interval
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    const now = performance.now()
    const tat = Math.max(this.tat, now)
    const wait = tat - this.tolerance - now
    this.tat = tat + this.interval
    if (wait > 0) await sleep(wait, signal)
  }
}

const shared = new Map<string, RateLimiter>()

/**
 * The limiter of a connection (by name and URL), shared by every task of the process that uses
 * it; a changed rate replaces it.
 */
export function sharedRateLimiter(key: string, rps: number, burst: number): RateLimiter {
  const hit = shared.get(key)
  if (hit && hit.rps === rps && hit.burst === burst) return hit
  const limiter = new RateLimiter(rps, burst)
  shared.set(key, limiter)
  return limiter
}
