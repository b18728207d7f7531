import type { Value } from '../../data/column-type.js'
import { SluiceError, isSluiceError } from '../../core/sluice-error.js'
import type { CodeTransformReject, Row, TransformContext } from './code-transform-options.js'
import { createColumnEncoder, type ColumnEncoder } from './create-column-encoder.js'
import { createRowBuilder } from './create-row-builder.js'
import { recordJson } from './record-json.js'
import type { ResolvedTransform } from './resolve-transform-function.js'

/** Input records as they cross threads: values column by column (`vectors[c][r]`). */
export interface InputChunk {
  readonly columns: readonly string[]
  /** One array of `rowCount` values per column, in the order of `columns`. */
  readonly vectors: readonly (readonly Value[])[]
  readonly rowCount: number
  /** 1-based number of record 0 among all input records. */
  readonly firstRow: number
}

/** Output records column by column: one array of `rowCount` values per column of `columns`. */
export interface OutputChunk {
  readonly columns: readonly string[]
  readonly vectors: Value[][]
  readonly rowCount: number
  readonly rejects: CodeTransformReject[]
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e))

function reject(chunk: InputChunk, i: number, e: unknown): CodeTransformReject {
  return {
    row: chunk.firstRow + i,
    reason: message(e),
    raw: recordJson(
      chunk.columns,
      chunk.vectors.map((v) => v[i] ?? null),
    ),
  }
}

/**
 * Row objects for the chunks of one input: the builder (createRowBuilder) is made again only when
 * the column names change. Column names that crossed a thread boundary are fresh strings on
 * every chunk; comparing them is cheap, building a builder per chunk is not.
 */
function rowsFor(): (chunk: InputChunk) => (i: number) => Row {
  let columns: readonly string[] = []
  let build = createRowBuilder(columns)
  return (chunk) => {
    const same =
      chunk.columns.length === columns.length && chunk.columns.every((c, i) => c === columns[i])
    if (!same) {
      columns = chunk.columns.slice()
      build = createRowBuilder(columns)
    }
    return build(chunk.vectors)
  }
}

async function* rowMode(
  t: ResolvedTransform,
  input: AsyncIterable<InputChunk>,
  ctx: TransformContext,
  maxRejects: number,
  encoder: ColumnEncoder,
): AsyncGenerator<OutputChunk> {
  const rowsOf = rowsFor()
  const fn = t.fn
  let rejected = 0
  for await (const chunk of input) {
    const rowAt = rowsOf(chunk)
    const rejects: CodeTransformReject[] = []
    for (let i = 0; i < chunk.rowCount; i++) {
      try {
        let r = fn(rowAt(i), ctx)
        if (r instanceof Promise) r = await r
        if (r === null || r === undefined) continue
        if (Array.isArray(r)) encoder.encodeAll(r)
        else encoder.encodeOne(r)
      } catch (e) {
        rejects.push(reject(chunk, i, e))
        if (++rejected > maxRejects) {
          yield { ...encoder.take(), rejects }
          return
        }
      }
    }
    yield { ...encoder.take(), rejects }
  }
}

async function* batchMode(
  t: ResolvedTransform,
  input: AsyncIterable<InputChunk>,
  ctx: TransformContext,
  maxRejects: number,
  encoder: ColumnEncoder,
): AsyncGenerator<OutputChunk> {
  const rowsOf = rowsFor()
  let rejected = 0
  for await (const chunk of input) {
    const rowAt = rowsOf(chunk)
    const rejects: CodeTransformReject[] = []
    // Calls the function on records [lo, hi); on a throw, on each half, down to one record.
    const attempt = async (lo: number, hi: number): Promise<void> => {
      const objects: Row[] = []
      for (let i = lo; i < hi; i++) objects.push(rowAt(i))
      let result: unknown
      try {
        result = await t.fn(objects, ctx)
        if (!Array.isArray(result)) {
          throw new SluiceError(
            'E_TRANSFORM_FAILED',
            `transform "${t.name}" returned ${result === null ? 'null' : typeof result} instead of an array of rows`,
            { hint: 'a batch transform returns the output rows as an array (possibly empty)' },
          )
        }
        encoder.encodeAll(result)
      } catch (e) {
        if (isSluiceError(e) && e.code === 'E_TRANSFORM_FAILED') throw e
        if (hi - lo === 1) {
          rejects.push(reject(chunk, lo, e))
          rejected++
          return
        }
        const mid = lo + Math.ceil((hi - lo) / 2)
        await attempt(lo, mid)
        if (rejected <= maxRejects) await attempt(mid, hi)
      }
    }
    if (chunk.rowCount > 0) await attempt(0, chunk.rowCount)
    yield { ...encoder.take(), rejects }
    if (rejected > maxRejects) return
  }
}

async function* streamMode(
  t: ResolvedTransform,
  input: AsyncIterable<InputChunk>,
  ctx: TransformContext,
  encoder: ColumnEncoder,
): AsyncGenerator<OutputChunk> {
  const rowsOf = rowsFor()
  async function* rowArrays(): AsyncGenerator<Row[]> {
    for await (const chunk of input) {
      const rowAt = rowsOf(chunk)
      yield Array.from({ length: chunk.rowCount }, (_, i) => rowAt(i))
    }
  }
  try {
    for await (const out of t.fn(rowArrays(), ctx) as AsyncIterable<unknown>) {
      if (!Array.isArray(out)) {
        throw new TypeError(
          `it yielded ${out === null ? 'null' : typeof out}, not an array of rows`,
        )
      }
      encoder.encodeAll(out)
      yield { ...encoder.take(), rejects: [] }
    }
  } catch (e) {
    if (isSluiceError(e)) throw e
    throw new SluiceError(
      'E_TRANSFORM_FAILED',
      `stream transform "${t.name}" failed: ${message(e)}`,
      {
        hint: 'in stream mode one error fails the task; catch per-record errors inside the generator',
      },
    )
  }
}

/**
 * Runs a transform function over input chunks and yields output chunks; the same code runs in
 * the worker thread and in-process (inline functions).
 *
 * Row mode calls `map` per record; a throw (or a returned value that is not a row) rejects that
 * record. Batch mode calls `transform` per chunk; when it throws, the chunk is split in halves and
 * each half retried, down to single records, so only the bad records are rejected: the function
 * must therefore be deterministic and free of side effects that matter when repeated (each call
 * gets fresh row objects). Stream mode hands the function all chunks as `AsyncIterable<Row[]>`;
 * a throw fails the run (E_TRANSFORM_FAILED). Processing stops after the chunk in which the
 * number of rejects exceeds `maxRejects`.
 */
export function applyTransform(
  t: ResolvedTransform,
  input: AsyncIterable<InputChunk>,
  ctx: TransformContext,
  maxRejects: number,
): AsyncGenerator<OutputChunk> {
  const encoder = createColumnEncoder()
  if (t.mode === 'row') return rowMode(t, input, ctx, maxRejects, encoder)
  if (t.mode === 'batch') return batchMode(t, input, ctx, maxRejects, encoder)
  return streamMode(t, input, ctx, encoder)
}
