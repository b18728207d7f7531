import type { Clock } from './clock.js'

interface Sleeper {
  readonly at: number
  readonly resolve: () => void
}

/**
 * A clock that only moves when told to. `sleeps` records every requested delay, so tests can
 * check backoff without waiting for it.
 */
export class ManualClock implements Clock {
  private t: number
  private sleepers: Sleeper[] = []
  readonly sleeps: number[] = []

  constructor(start = 0) {
    this.t = start
  }

  now(): number {
    return this.t
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms)
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason as Error)
        return
      }
      const sleeper: Sleeper = { at: this.t + ms, resolve }
      this.sleepers.push(sleeper)
      signal?.addEventListener(
        'abort',
        () => {
          this.sleepers = this.sleepers.filter((s) => s !== sleeper)
          reject(signal.reason as Error)
        },
        { once: true },
      )
    })
  }

  /** Moves time forward, waking every sleeper that is due. */
  advance(ms: number): void {
    this.t += ms
    const due = this.sleepers.filter((s) => s.at <= this.t)
    this.sleepers = this.sleepers.filter((s) => s.at > this.t)
    for (const s of due) s.resolve()
  }

  /** Wakes the earliest sleeper (moving time to it); false when none waits. */
  advanceToNext(): boolean {
    if (this.sleepers.length === 0) return false
    const next = Math.min(...this.sleepers.map((s) => s.at))
    this.advance(Math.max(0, next - this.t))
    return true
  }

  get waiting(): number {
    return this.sleepers.length
  }
}
