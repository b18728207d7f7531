import { SluiceError } from '../../core/sluice-error.js'
import type { TableSchema } from '../../data/column-type.js'
import type { RowBatch } from '../../data/row-batch.js'
import type {
  CodeTransformOptions,
  CodeTransformReject,
  CodeTransformRun,
} from './code-transform-options.js'
import { createOutputSchemaSettler } from './create-output-schema-settler.js'
import { inputChunks } from './input-chunks.js'
import { runInProcess } from './run-in-process.js'
import { runInWorker } from './run-in-worker.js'
import { stopRace } from './stop-race.js'

const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * Runs a code (TypeScript/JavaScript) transform over input batches.
 *
 * A `module` runs in its own piscina worker thread (one per run) with
 * `resourceLimits.maxOldGenerationSizeMb = memoryMb`: past `timeoutMs` (whole run, wall clock)
 * or on `signal` the thread is terminated (E_TRANSFORM_TIMEOUT / E_CANCELLED); a thread that
 * exhausts its heap is E_TRANSFORM_MEMORY; the process and other runs carry on. Records cross
 * the thread boundary as value arrays in batches, at most two batches in flight each way, so
 * memory stays bounded. `inline` functions run in this thread, without those guarantees.
 *
 * Per-record errors (row and batch modes, see applyTransform) follow `onError`: `fail` stops at
 * the first with E_TRANSFORM_RECORD naming the 1-based input row; `skip` and `quarantine` both
 * collect them in `rejects()` and fail with E_TRANSFORM_RECORD once there are more than
 * `maxBadRows`. The output schema is settled as createOutputSchemaSettler describes.
 */
export function runCodeTransform(o: CodeTransformOptions): CodeTransformRun {
  const task = o.ctx.taskId
  if ((o.module === undefined) === (o.inline === undefined)) {
    throw new SluiceError(
      'E_TRANSFORM_LOAD',
      `transform task ${task} needs either a module or inline functions`,
      {
        task,
        hint: 'set module: ./file.ts (or pass map/transform in a TS pipeline)',
      },
    )
  }
  const rejects: CodeTransformReject[] = []
  const seen: { schema: TableSchema | undefined } = { schema: undefined }
  const settler = createOutputSchemaSettler(o.schema, () => seen.schema, task)
  const maxRejects = o.onError === 'fail' ? 0 : (o.maxBadRows ?? Infinity)
  let started = false

  async function* batches(): AsyncGenerator<RowBatch> {
    if (started)
      throw new SluiceError('E_INTERNAL', `transform task ${task}: batches iterated twice`)
    started = true
    const stop = new AbortController()
    const halt = (e: SluiceError): void => {
      if (!stop.signal.aborted) stop.abort(e)
    }
    const race = stopRace(stop.signal)
    const onAbort = (): void =>
      halt(new SluiceError('E_CANCELLED', `transform task ${task} was cancelled`, { task }))
    if (o.signal?.aborted) onAbort()
    o.signal?.addEventListener('abort', onAbort, { once: true })
    const timer =
      o.timeoutMs > 0 && o.timeoutMs <= MAX_TIMER_MS
        ? setTimeout(
            () =>
              halt(
                new SluiceError(
                  'E_TRANSFORM_TIMEOUT',
                  o.module
                    ? `transform task ${task} (${o.module}) ran past its timeout of ${o.timeoutMs} ms; its worker thread was terminated`
                    : `transform task ${task} (inline) ran past its timeout of ${o.timeoutMs} ms`,
                  {
                    task,
                    retryable: false,
                    hint: 'raise the task timeout, or look for an endless loop',
                  },
                ),
              ),
            o.timeoutMs,
          )
        : undefined
    const chunks = inputChunks(o.input, seen)
    const outputs =
      o.module !== undefined
        ? runInWorker({ ...o, module: o.module }, chunks, maxRejects, stop.signal, race)
        : runInProcess(o, chunks, maxRejects, race)
    try {
      if (stop.signal.aborted) throw stop.signal.reason
      for await (const out of outputs) {
        for (const r of out.rejects) {
          rejects.push(r)
          if (o.onError === 'fail') {
            throw new SluiceError(
              'E_TRANSFORM_RECORD',
              `transform task ${task}: input row ${r.row} failed: ${r.reason}`,
              {
                task,
                row: r.row,
                hint: 'fix the transform, or set on_error: skip or quarantine to set bad records aside',
              },
            )
          }
          if (o.maxBadRows !== undefined && rejects.length > o.maxBadRows) {
            const first = rejects[0] as CodeTransformReject
            throw new SluiceError(
              'E_TRANSFORM_RECORD',
              `transform task ${task} rejected more than max_bad_rows (${o.maxBadRows}) records; the first, input row ${first.row}: ${first.reason}`,
              { task, row: first.row, hint: 'fix the transform or raise max_bad_rows' },
            )
          }
        }
        if (out.rowCount > 0) yield settler.toBatch(out.columns, out.vectors, out.rowCount)
      }
    } finally {
      clearTimeout(timer)
      o.signal?.removeEventListener('abort', onAbort)
      if (!stop.signal.aborted) stop.abort(new Error('transform run closed'))
      chunks.return(undefined).catch(() => {})
    }
  }

  return {
    batches: { [Symbol.asyncIterator]: () => batches() },
    rejects: () => rejects,
    schema: () => settler.current() ?? { columns: [] },
  }
}
