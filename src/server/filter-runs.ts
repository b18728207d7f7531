import type { RunRecord } from '../state/records.js'

/** Filters the store cannot apply itself: trigger kind and a created-at window. */
export interface ExtraRunFilter {
  readonly trigger?: string
  /** ISO instant: runs created at or after it. */
  readonly since?: string
  /** ISO instant: runs created before it. */
  readonly until?: string
}

/**
 * Wraps a newest-first run fetcher (`fetchNewest(n)`, as `pageRuns` takes it) with the filters the
 * store lacks: it asks for more rows until `n` match or the store has no more, and stops early
 * once the rows are older than `since` (they come newest first).
 */
export function filterRuns(
  fetchNewest: (n: number) => Promise<readonly RunRecord[]>,
  filter: ExtraRunFilter,
): (n: number) => Promise<readonly RunRecord[]> {
  const { trigger, since, until } = filter
  if (trigger === undefined && since === undefined && until === undefined) return fetchNewest
  const sinceMs = since === undefined ? undefined : Date.parse(since)
  const untilMs = until === undefined ? undefined : Date.parse(until)
  const keep = (r: RunRecord): boolean => {
    const at = Date.parse(r.createdAt)
    return (
      (trigger === undefined || r.trigger === trigger) &&
      (sinceMs === undefined || at >= sinceMs) &&
      (untilMs === undefined || at < untilMs)
    )
  }
  return async (n) => {
    let m = Math.max(n, 64)
    for (;;) {
      const rows = await fetchNewest(m)
      const matched = rows.filter(keep)
      const last = rows[rows.length - 1]
      const pastWindow =
        sinceMs !== undefined && last !== undefined && Date.parse(last.createdAt) < sinceMs
      if (matched.length >= n || rows.length < m || pastWindow) return matched.slice(0, n)
      m *= 4
    }
  }
}
