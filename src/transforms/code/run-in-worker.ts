import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { MessageChannel } from 'node:worker_threads'
import { ERROR_CODES, type ErrorCode } from '../../core/error-codes.js'
import { SluiceError } from '../../core/sluice-error.js'
import type { InputChunk, OutputChunk } from './apply-transform.js'
import { DEFAULT_TRANSFORM_MEMORY_MB, type CodeTransformOptions } from './code-transform-options.js'
import type { CodeWorkerMessage, CodeWorkerTask } from './code-worker-messages.js'
import type { StopRace } from './stop-race.js'

/** From sources (vitest, tsx) the worker is code-worker.ts and needs tsx; from dist, .js. */
const FROM_SOURCE = import.meta.url.endsWith('.ts')
const WORKER_URL = new URL(FROM_SOURCE ? './code-worker.ts' : './code-worker.js', import.meta.url)

/** What a worker thread's death means: out of its memory limit, or some other crash. */
export function workerFailure(
  e: unknown,
  task: string,
  module: string | undefined,
  memoryMb: number,
): SluiceError {
  if ((e as { code?: unknown } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new SluiceError(
      'E_TRANSFORM_MEMORY',
      `transform task ${task} (${module}) ran out of its memory limit of ${memoryMb} MB; its worker thread was terminated`,
      {
        task,
        hint: 'raise the memory limit, or keep less in memory (stream mode, no whole-input arrays)',
      },
    )
  }
  return new SluiceError(
    'E_TRANSFORM_FAILED',
    `transform task ${task} (${module}): the worker thread died: ${e instanceof Error ? e.message : String(e)}`,
    { task, hint: 'a transform must not call process.exit or crash its thread' },
  )
}

/**
 * Runs `o.module` in a one-thread piscina pool and yields its output chunks (protocol:
 * code-worker-messages.ts). `stop` aborting terminates the thread; leaving the loop destroys
 * the pool.
 */
export async function* runInWorker(
  o: CodeTransformOptions & { readonly module: string },
  chunks: AsyncIterator<InputChunk>,
  maxRejects: number,
  stop: AbortSignal,
  race: StopRace,
): AsyncGenerator<OutputChunk> {
  const memoryMb = o.memoryMb ?? DEFAULT_TRANSFORM_MEMORY_MB
  const { Piscina } = await import('piscina')
  const tsx = FROM_SOURCE ? pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href : ''
  const pool = new Piscina({
    filename: WORKER_URL.href,
    minThreads: 0,
    maxThreads: 1,
    resourceLimits: { maxOldGenerationSizeMb: memoryMb },
    ...(FROM_SOURCE ? { execArgv: ['--import', tsx] } : {}),
  })
  pool.on('error', () => {}) // failures reach us through the task promise
  const { port1, port2 } = new MessageChannel()
  const inbox: CodeWorkerMessage[] = []
  let wake: (() => void) | undefined
  let crash: { error: unknown } | undefined
  // Input is fed from here, not from the loop below: the next chunk is read while the consumer
  // of our output is busy (writing, awaiting DuckDB), so the worker does not wait for it.
  let feeding = Promise.resolve()
  let feedFailure: { error: unknown } | undefined
  const feed = async (): Promise<void> => {
    if (feedFailure !== undefined || stop.aborted) return
    try {
      const next = await race(chunks.next())
      port1.postMessage(next.done ? { type: 'end' } : { type: 'input', ...next.value })
    } catch (error) {
      feedFailure = { error }
      wake?.()
    }
  }
  port1.on('message', (m: CodeWorkerMessage) => {
    if (m.type === 'pull') {
      feeding = feeding.then(feed)
      return
    }
    inbox.push(m)
    wake?.()
  })
  const task: CodeWorkerTask = {
    port: port2,
    module: o.module,
    exportName: o.exportName,
    mode: o.mode,
    maxRejects,
    ctx: { params: o.ctx.params, taskId: o.ctx.taskId, runId: o.ctx.runId },
  }
  pool.run(task, { transferList: [port2], signal: stop }).catch((error: unknown) => {
    crash = { error }
    wake?.()
  })
  try {
    for (;;) {
      while (inbox.length === 0 && crash === undefined && feedFailure === undefined) {
        await race(new Promise<void>((r) => (wake = r)))
      }
      if (feedFailure !== undefined) throw feedFailure.error
      const m = inbox.shift()
      if (m === undefined) {
        if (stop.aborted) throw stop.reason
        throw workerFailure(crash?.error, o.ctx.taskId, o.module, memoryMb)
      }
      switch (m.type) {
        case 'pull':
          break // handled as it arrives
        case 'output':
          yield m
          port1.postMessage({ type: 'ack' })
          break
        case 'log':
          o.log(m.text)
          break
        case 'error':
          throw new SluiceError(
            Object.hasOwn(ERROR_CODES, m.code) ? (m.code as ErrorCode) : 'E_TRANSFORM_FAILED',
            m.message,
            { task: o.ctx.taskId, ...(m.hint === undefined ? {} : { hint: m.hint }) },
          )
        case 'done':
          return
      }
    }
  } finally {
    port1.close()
    await pool.destroy()
  }
}
