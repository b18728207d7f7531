import { randomUUID } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { pathToFileURL } from 'node:url'
import { MessageChannel, type MessagePort } from 'node:worker_threads'
import { ERROR_CODES, type ErrorCode } from '../../core/error-codes.js'
import { SluiceError } from '../../core/sluice-error.js'
import type { TableSchema } from '../../data/column-type.js'
import {
  DEFAULT_TRANSFORM_MEMORY_MB,
  type CodeTransformOptions,
  type CodeTransformReject,
} from './code-transform-options.js'
import { createOutputSchemaSettler } from './create-output-schema-settler.js'
import type {
  PartitionCommand,
  PartitionMessage,
  PartitionWorkerTask,
} from './partition-messages.js'
import { workerFailure } from './run-in-worker.js'

const MAX_TIMER_MS = 2 ** 31 - 1
/** Each worker's young generation (three semi-spaces of 32 MB). */
const YOUNG_MB = 96
const FROM_SOURCE = import.meta.url.endsWith('.ts')
const WORKER_URL = new URL(
  FROM_SOURCE ? './partition-worker.ts' : './partition-worker.js',
  import.meta.url,
)

export interface PartitionedTransformOptions extends Omit<
  CodeTransformOptions,
  'input' | 'inline' | 'module'
> {
  readonly module: string
  /** The input Parquet file and its number of rows. */
  readonly input: { readonly path: string; readonly rowCount: number }
  /** Records per input chunk (what a batch-mode function gets at once). */
  readonly batchRows: number
  /** A directory for the part files (created; the caller removes it). */
  readonly partDir: string
  /** At most this many workers; default the machine's available parallelism. */
  readonly maxWorkers?: number
  /** Each worker gets at least this many input rows; default 500,000. */
  readonly minPartitionRows?: number
  /** Output rows per part file; default 250,000. */
  readonly partRows?: number
  /** `memory_limit` of each worker's DuckDB; default '256MB'. */
  readonly duckdbMemory?: string
  /** Called with each count of input rows read. */
  readonly onRowsIn?: (n: number) => void
}

export interface PartitionedTransformResult {
  /** The output as Parquet part files, in input order (empty when no row came out). */
  readonly parts: readonly string[]
  readonly rowCount: number
  /** Declared, or settled by the first output chunk; undefined if no row came out and none was declared. */
  readonly schema: TableSchema | undefined
  /** Rejected records, in input order. */
  readonly rejects: readonly CodeTransformReject[]
}

interface Worker {
  readonly port: MessagePort
  readonly stop: AbortController
  range?: { lo: number; hi: number }
  /** Output rows so far; undefined until done. */
  done?: { parts: string[]; rowCount: number }
  /** A sample waiting for the schema to settle. */
  sample?: Extract<PartitionMessage, { type: 'sample' }>
  hasOutput: boolean
  finished: boolean
}

type Event =
  | { readonly w: number; readonly m: PartitionMessage }
  | { readonly w: number; readonly crash: unknown }

/**
 * Runs a transform `module` over a Parquet input in up to `maxWorkers` piscina worker threads,
 * each reading a contiguous range of the input rows with a DuckDB of its own and writing its
 * output as Parquet part files (partition-worker.ts), so no record crosses a thread boundary
 * and the cores work in parallel. Stream mode (one generator over all input) and inputs under
 * two `minPartitionRows` run in one worker. Each worker has `memoryMb` of heap; the timeout and
 * `signal` terminate them all.
 *
 * Semantics are those of runCodeTransform: records are numbered across the whole input,
 * rejects come back in input order and `onError`/`maxBadRows` apply to the whole run (a worker
 * after the one that tripped them is stopped, the ones before finish, so the error names the
 * first bad record in input order); the output schema is declared or settled by the first
 * output chunk in input order, and held in every worker.
 */
export async function runPartitionedTransform(
  o: PartitionedTransformOptions,
): Promise<PartitionedTransformResult> {
  const task = o.ctx.taskId
  const memoryMb = o.memoryMb ?? DEFAULT_TRANSFORM_MEMORY_MB
  const maxRejects = o.onError === 'fail' ? 0 : (o.maxBadRows ?? Infinity)
  await mkdir(o.partDir, { recursive: true })
  const { Piscina } = await import('piscina')
  const tsx = FROM_SOURCE ? pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href : ''
  const wanted = Math.max(
    1,
    Math.min(
      o.maxWorkers ?? availableParallelism(),
      Math.floor(o.input.rowCount / (o.minPartitionRows ?? 500_000)),
    ),
  )
  const pool = new Piscina({
    filename: WORKER_URL.href,
    minThreads: 0,
    maxThreads: wanted,
    idleTimeout: 1000,
    // A larger young generation than V8's default (16 MB semi-spaces): a chunk's values live
    // from read to write, and fewer scavenges promote (and later mark) fewer of them.
    resourceLimits: { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: YOUNG_MB },
    ...(FROM_SOURCE ? { execArgv: ['--import', tsx] } : {}),
  })
  pool.on('error', () => {}) // failures reach us through the task promises
  const events: Event[] = []
  let wake: (() => void) | undefined
  const push = (e: Event): void => {
    events.push(e)
    wake?.()
  }
  const workers: Worker[] = []
  const id = randomUUID().slice(0, 8)
  const start = (): void => {
    const w = workers.length
    const { port1, port2 } = new MessageChannel()
    port1.on('message', (m: PartitionMessage) => push({ w, m }))
    const own = new AbortController()
    workers.push({ port: port1, stop: own, hasOutput: false, finished: false })
    const t: PartitionWorkerTask = {
      port: port2,
      module: o.module,
      exportName: o.exportName,
      mode: o.mode,
      maxRejects,
      ctx: { params: o.ctx.params, taskId: task, runId: o.ctx.runId },
      input: o.input.path,
      batchRows: o.batchRows,
      declared: o.schema,
      partDir: o.partDir,
      prefix: `${id}-w${w}`,
      partRows: o.partRows ?? 250_000,
      duckdbMemory: o.duckdbMemory ?? '256MB',
    }
    pool
      .run(t, { transferList: [port2], signal: own.signal })
      .catch((crash: unknown) => push({ w, crash }))
  }
  const send = (w: number, c: PartitionCommand): void => workers[w]!.port.postMessage(c)
  const timer =
    o.timeoutMs > 0 && o.timeoutMs <= MAX_TIMER_MS
      ? setTimeout(
          () =>
            push({
              w: -1,
              crash: new SluiceError(
                'E_TRANSFORM_TIMEOUT',
                `transform task ${task} (${o.module}) ran past its timeout of ${o.timeoutMs} ms; its worker threads were terminated`,
                {
                  task,
                  retryable: false,
                  hint: 'raise the task timeout, or look for an endless loop',
                },
              ),
            }),
          o.timeoutMs,
        )
      : undefined
  const onAbort = (): void =>
    push({
      w: -1,
      crash: new SluiceError('E_CANCELLED', `transform task ${task} was cancelled`, { task }),
    })
  if (o.signal?.aborted) onAbort()
  o.signal?.addEventListener('abort', onAbort, { once: true })

  const rejects: CodeTransformReject[] = []
  let schema = o.schema
  /** The first worker whose rejects trip onError / maxBadRows: later ones are stopped. */
  let tripped: number | undefined
  const settle = (): void => {
    // the first chunk in input order: a worker's sample counts once every earlier worker is
    // done without output
    for (const w of workers) {
      if (w.sample !== undefined) {
        const s = w.sample
        const first = createOutputSchemaSettler(o.schema, () => s.inputSchema, task)
        first.toBatch(s.columns, s.vectors, s.rowCount) // settles, or throws E_SCHEMA_DRIFT
        schema = first.current()
        break
      }
      if (!w.finished || w.hasOutput) return
    }
    if (schema === undefined) return
    for (const [i, w] of workers.entries()) {
      if (w.sample === undefined) continue
      w.sample = undefined
      send(i, { type: 'schema', schema })
    }
  }
  try {
    start()
    for (;;) {
      const live = workers.filter((w, i) => !w.finished && (tripped === undefined || i <= tripped))
      if (live.length === 0 && workers.length > 0 && workers[0]!.range !== undefined) break
      while (events.length === 0) await new Promise<void>((r) => (wake = r))
      const e = events.shift()!
      if ('crash' in e) {
        if (e.w < 0) throw e.crash
        if (workers[e.w]!.stop.signal.aborted) continue // stopped by us
        throw workerFailure(e.crash, task, o.module, memoryMb)
      }
      const w = workers[e.w]!
      const m = e.m
      switch (m.type) {
        case 'loaded': {
          if (e.w === 0) {
            const n = m.mode === 'stream' ? 1 : wanted
            const size = Math.ceil(o.input.rowCount / n)
            for (let k = 1; k < n; k++) start()
            workers.forEach((x, k) => {
              x.range = { lo: k * size, hi: k === n - 1 ? -1 : (k + 1) * size }
            })
          }
          send(e.w, { type: 'range', ...w.range! })
          break
        }
        case 'sample':
          w.hasOutput = true
          if (schema !== undefined) send(e.w, { type: 'schema', schema })
          else {
            w.sample = m
            settle()
          }
          break
        case 'rejects':
          rejects.push(...m.rejects)
          if (tripped === undefined || e.w < tripped) {
            const total = rejects.length
            if (o.onError === 'fail' || (o.maxBadRows !== undefined && total > o.maxBadRows)) {
              tripped = e.w
              // later workers' records come after: they need not run
              for (let k = e.w + 1; k < workers.length; k++) {
                workers[k]!.finished = true
                workers[k]!.stop.abort()
              }
            }
          }
          break
        case 'progress':
          if (m.rowsIn > 0) o.onRowsIn?.(m.rowsIn)
          break
        case 'log':
          o.log(m.text)
          break
        case 'error':
          throw new SluiceError(
            Object.hasOwn(ERROR_CODES, m.code) ? (m.code as ErrorCode) : 'E_TRANSFORM_FAILED',
            m.message,
            { task, ...(m.hint === undefined ? {} : { hint: m.hint }) },
          )
        case 'done':
          w.finished = true
          w.done = { parts: m.parts, rowCount: m.rowCount }
          w.hasOutput ||= m.rowCount > 0
          if (schema === undefined) settle()
          break
      }
    }
    rejects.sort((a, b) => a.row - b.row)
    const first = rejects[0]
    if (first !== undefined && o.onError === 'fail') {
      throw new SluiceError(
        'E_TRANSFORM_RECORD',
        `transform task ${task}: input row ${first.row} failed: ${first.reason}`,
        {
          task,
          row: first.row,
          hint: 'fix the transform, or set on_error: skip or quarantine to set bad records aside',
        },
      )
    }
    if (first !== undefined && o.maxBadRows !== undefined && rejects.length > o.maxBadRows) {
      throw new SluiceError(
        'E_TRANSFORM_RECORD',
        `transform task ${task} rejected more than max_bad_rows (${o.maxBadRows}) records; the first, input row ${first.row}: ${first.reason}`,
        { task, row: first.row, hint: 'fix the transform or raise max_bad_rows' },
      )
    }
    const done = workers.map((w) => w.done ?? { parts: [], rowCount: 0 })
    return {
      parts: done.flatMap((d) => d.parts),
      rowCount: done.reduce((n, d) => n + d.rowCount, 0),
      schema,
      rejects,
    }
  } finally {
    clearTimeout(timer)
    o.signal?.removeEventListener('abort', onAbort)
    for (const w of workers) {
      w.stop.abort()
      w.port.close()
    }
    await pool.destroy()
  }
}
