import { SluiceError } from '../core/sluice-error.js'
import type { CircuitBreaker } from './circuit-breaker.js'
import { classifyError } from './classify-error.js'
import type { Json, TaskContext, TaskExecutor } from './task-context.js'

export type AttemptResult =
  | { readonly ok: true; readonly outputs?: Json }
  | { readonly ok: false; readonly error: SluiceError; readonly cancelled: boolean }

/**
 * Runs one attempt of one task: fails fast while a connection's circuit is open, applies the
 * timeout through the context's AbortSignal, and turns whatever is thrown into a coded error.
 */
export async function executeAttempt(
  executor: TaskExecutor,
  ctx: Omit<TaskContext, 'signal'>,
  runSignal: AbortSignal,
  timeoutMs: number,
  breakers: readonly CircuitBreaker[],
): Promise<AttemptResult> {
  const ctl = new AbortController()
  const onRunAbort = () => ctl.abort(runSignal.reason)
  if (runSignal.aborted) onRunAbort()
  else runSignal.addEventListener('abort', onRunAbort, { once: true })
  // a real timer, not the injected clock: the clock governs backoff, the wall governs work
  const timer = setTimeout(
    () =>
      ctl.abort(
        new SluiceError('E_TASK_TIMEOUT', `task timed out after ${timeoutMs} ms`, {
          retryable: true,
          task: ctx.taskId,
          hint: 'raise timeout: on the task, or make it faster',
        }),
      ),
    timeoutMs,
  )
  try {
    for (const b of breakers) b.check()
    const outcome = await executor.execute({ ...ctx, signal: ctl.signal })
    if (ctl.signal.aborted) throw ctl.signal.reason
    for (const b of breakers) b.recordSuccess()
    return { ok: true, ...(outcome.outputs !== undefined && { outputs: outcome.outputs }) }
  } catch (e) {
    const cancelled = runSignal.aborted
    const reason: unknown = ctl.signal.aborted ? ctl.signal.reason : e
    const error = classifyError(reason, ctx.taskId)
    if (!cancelled && error.code !== 'E_CIRCUIT_OPEN') for (const b of breakers) b.recordFailure()
    return { ok: false, error, cancelled }
  } finally {
    clearTimeout(timer)
    runSignal.removeEventListener('abort', onRunAbort)
  }
}
