import { SluiceError } from '../core/sluice-error.js'
import type { RunRecord } from '../state/records.js'
import type { StateStore } from '../state/state-store.js'

/** The run with that id, or E_STATE_NOT_FOUND (404). */
export async function findRun(store: StateStore, runId: string): Promise<RunRecord> {
  const run = await store.getRun(runId)
  if (run) return run
  throw new SluiceError('E_STATE_NOT_FOUND', `no run "${runId}" in the state store`, {
    hint: 'list runs with GET /api/v1/runs',
  })
}
