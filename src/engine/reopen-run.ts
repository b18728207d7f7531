import { SluiceError } from '../core/sluice-error.js'
import type { ErrorInfo, TaskRecord } from '../state/records.js'
import type { StateStore } from '../state/state-store.js'

/**
 * Puts a FAILED, CANCELLED or orphaned run back to RUNNING for `resume`: attempts left RUNNING by a
 * dead process become FAILED (E_ORPHANED), queued or backing-off ones CANCELLED; then FAILED,
 * CANCELLED and SKIPPED tasks get new PENDING attempts. Returns the tasks as they now stand.
 */
export async function reopenRun(
  store: StateStore,
  runId: string,
  owner: string,
  now: () => Date,
): Promise<TaskRecord[]> {
  const run = await store.getRun(runId)
  if (!run)
    throw new SluiceError('E_STATE_NOT_FOUND', `run ${runId} does not exist`, {
      hint: 'list runs with: sluice runs',
    })
  if (run.state === 'SUCCESS' || run.state === 'QUEUED') {
    throw new SluiceError(
      'E_RUN_NOT_RESUMABLE',
      `run ${runId} is ${run.state}; only FAILED, CANCELLED or orphaned runs resume`,
    )
  }
  const orphan: ErrorInfo = {
    code: 'E_ORPHANED',
    message: `the process running this attempt (${run.owner ?? 'unknown'}) stopped without finishing it`,
    retryable: true,
  }
  for (const t of await store.listTasks(runId)) {
    if (t.state === 'RUNNING')
      await store.transitionTask(runId, t.taskId, 'RUNNING', 'FAILED', { at: now(), error: orphan })
    else if (t.state === 'QUEUED' || t.state === 'RETRYING') {
      await store.transitionTask(runId, t.taskId, t.state, 'CANCELLED', {
        at: now(),
        error: orphan,
      })
    }
  }
  if (run.state === 'RUNNING') await store.transitionRun(runId, 'RUNNING', 'FAILED', now(), orphan)
  await store.resetForResume(runId, now())
  await store.transitionRun(
    runId,
    run.state === 'CANCELLED' ? 'CANCELLED' : 'FAILED',
    'RUNNING',
    now(),
  )
  await store.heartbeat(runId, owner, now())
  return store.listTasks(runId)
}
