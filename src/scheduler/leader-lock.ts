/**
 * Decides which of several schedulers sharing one state store fires schedules. Exactly one
 * holder at a time; a holder that dies loses it without cooperating (its connection drops).
 */
export interface LeaderLock {
  /** Tries to be (or stay) leader; true when this process holds the lock now. Never throws. */
  acquire(): Promise<boolean>
  /** Whether the last acquire() succeeded and nothing since showed the lock was lost. */
  readonly isLeader: boolean
  /** Gives the lock up (and closes whatever held it). */
  release(): Promise<void>
}
