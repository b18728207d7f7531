/** What a due fire does while a run of the same pipeline is still active. */
export type OverlapPolicy = 'allow' | 'skip' | 'queue' | 'cancel_previous'

export type OverlapDecision =
  | { readonly action: 'start' }
  | { readonly action: 'skip'; readonly reason: string }
  | { readonly action: 'queue' }
  /** Cancel these runs, then start the new one. */
  | { readonly action: 'cancel_previous'; readonly cancel: readonly string[] }

/**
 * Applies the overlap policy (SCH-10..13) to a fire. `queuedAhead` counts fires already waiting
 * for this pipeline: under `queue` a new fire waits behind them even when nothing is running, so
 * queued fires start one at a time, oldest first. Pure.
 */
export function overlapDecision(
  policy: OverlapPolicy,
  activeRunIds: readonly string[],
  queuedAhead = 0,
): OverlapDecision {
  const busy = activeRunIds.length > 0
  switch (policy) {
    case 'allow':
      return { action: 'start' }
    case 'skip':
      return busy
        ? { action: 'skip', reason: `run ${activeRunIds.join(', ')} is still active` }
        : { action: 'start' }
    case 'queue':
      return busy || queuedAhead > 0 ? { action: 'queue' } : { action: 'start' }
    case 'cancel_previous':
      return busy ? { action: 'cancel_previous', cancel: [...activeRunIds] } : { action: 'start' }
  }
}
