import type { LeaderLock } from './leader-lock.js'

/** Always the leader: for the embedded SQLite state, where one process owns the workspace. */
export function localLeaderLock(): LeaderLock {
  let held = false
  return {
    get isLeader() {
      return held
    },
    acquire() {
      held = true
      return Promise.resolve(true)
    },
    release() {
      held = false
      return Promise.resolve()
    },
  }
}
