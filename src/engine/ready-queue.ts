/** Ready tasks ordered by priority (high first), then critical path, then least slack, then declaration order. */
export interface ReadyEntry {
  readonly index: number
  readonly priority: number
  readonly critical: boolean
  readonly slackMs: number
}

function before(a: ReadyEntry, b: ReadyEntry): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority
  if (a.critical !== b.critical) return a.critical
  if (a.slackMs !== b.slackMs) return a.slackMs < b.slackMs
  return a.index < b.index
}

/**
 * A binary heap of ready tasks. `take(fits)` returns the best entry that fits the current
 * capacity (pools, resources); entries that do not fit stay queued.
 */
export class ReadyQueue {
  private heap: ReadyEntry[] = []

  get size(): number {
    return this.heap.length
  }

  push(e: ReadyEntry): void {
    const h = this.heap
    h.push(e)
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!before(h[i]!, h[p]!)) break
      ;[h[i], h[p]] = [h[p]!, h[i]!]
      i = p
    }
  }

  private pop(): ReadyEntry | undefined {
    const h = this.heap
    const top = h[0]
    const last = h.pop()
    if (h.length > 0 && last !== undefined) {
      h[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < h.length && before(h[l]!, h[m]!)) m = l
        if (r < h.length && before(h[r]!, h[m]!)) m = r
        if (m === i) break
        ;[h[i], h[m]] = [h[m]!, h[i]!]
        i = m
      }
    }
    return top
  }

  /** The best entry for which `fits` holds, or undefined. */
  take(fits: (e: ReadyEntry) => boolean): ReadyEntry | undefined {
    const skipped: ReadyEntry[] = []
    let found: ReadyEntry | undefined
    while (this.heap.length > 0) {
      const e = this.pop()!
      if (fits(e)) {
        found = e
        break
      }
      skipped.push(e)
    }
    for (const e of skipped) this.push(e)
    return found
  }

  drain(): ReadyEntry[] {
    const all = this.heap
    this.heap = []
    return all
  }
}
