import type { Value } from '../../data/column-type.js'
import { SluiceError, isSluiceError } from '../../core/sluice-error.js'
import type { CodeTransformReject, Row, TransformContext } from './code-transform-options.js'
import { createRowEncoder, type RowEncoder } from './create-row-encoder.js'
import { recordJson } from './record-json.js'
import type { ResolvedTransform } from './resolve-transform-function.js'

/** Input records as they cross threads: arrays in the order of `columns`. */
export interface InputChunk {
  readonly columns: readonly string[]
  readonly rows: readonly (readonly Value[])[]
  /** 1-based number of `rows[0]` among all input records. */
  readonly firstRow: number
}

/** Output records as arrays over `columns` (a row may be shorter: missing trailing values are NULL). */
export interface OutputChunk {
  readonly columns: readonly string[]
  readonly rows: Value[][]
  readonly rejects: CodeTransformReject[]
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e))

function toRow(columns: readonly string[], values: readonly Value[]): Row {
  const row: Row = {}
  for (let c = 0; c < columns.length; c++) row[columns[c] as string] = values[c] ?? null
  return row
}

function reject(chunk: InputChunk, i: number, e: unknown): CodeTransformReject {
  return {
    row: chunk.firstRow + i,
    reason: message(e),
    raw: recordJson(chunk.columns, chunk.rows[i] ?? []),
  }
}

/**
 * Column names as property keys: names that crossed a thread boundary are fresh strings, and
 * setting properties with them costs a string-table lookup per row; keys of an object are
 * internalized once.
 */
function internalize(chunk: InputChunk): InputChunk {
  const o: Record<string, null> = {}
  for (const c of chunk.columns) o[c] = null
  const keys = Object.keys(o)
  // integer-like names come first in key order, and duplicates collapse: then keep the names
  return keys.every((k, i) => k === chunk.columns[i]) && keys.length === chunk.columns.length
    ? { ...chunk, columns: keys }
    : chunk
}

async function* rowMode(
  t: ResolvedTransform,
  input: AsyncIterable<InputChunk>,
  ctx: TransformContext,
  maxRejects: number,
  encoder: RowEncoder,
): AsyncGenerator<OutputChunk> {
  const one: unknown[] = [undefined]
  let rejected = 0
  for await (const input_ of input) {
    const chunk = internalize(input_)
    const rows: Value[][] = []
    const rejects: CodeTransformReject[] = []
    for (let i = 0; i < chunk.rows.length; i++) {
      try {
        let r = t.fn(toRow(chunk.columns, chunk.rows[i] ?? []), ctx)
        if (r instanceof Promise) r = await r
        if (r === null || r === undefined) continue
        if (Array.isArray(r)) {
          encoder.encodeAll(r, rows)
        } else {
          one[0] = r
          encoder.encodeAll(one, rows)
        }
      } catch (e) {
        rejects.push(reject(chunk, i, e))
        if (++rejected > maxRejects) {
          yield { columns: encoder.columns.slice(), rows, rejects }
          return
        }
      }
    }
    yield { columns: encoder.columns.slice(), rows, rejects }
  }
}

async function* batchMode(
  t: ResolvedTransform,
  input: AsyncIterable<InputChunk>,
  ctx: TransformContext,
  maxRejects: number,
  encoder: RowEncoder,
): AsyncGenerator<OutputChunk> {
  let rejected = 0
  for await (const input_ of input) {
    const chunk = internalize(input_)
    const rows: Value[][] = []
    const rejects: CodeTransformReject[] = []
    // Calls the function on chunk.rows[lo, hi); on a throw, on each half, down to one record.
    const attempt = async (lo: number, hi: number): Promise<void> => {
      const objects: Row[] = []
      for (let i = lo; i < hi; i++) objects.push(toRow(chunk.columns, chunk.rows[i] ?? []))
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
        encoder.encodeAll(result, rows)
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
    if (chunk.rows.length > 0) await attempt(0, chunk.rows.length)
    yield { columns: encoder.columns.slice(), rows, rejects }
    if (rejected > maxRejects) return
  }
}

async function* streamMode(
  t: ResolvedTransform,
  input: AsyncIterable<InputChunk>,
  ctx: TransformContext,
  encoder: RowEncoder,
): AsyncGenerator<OutputChunk> {
  async function* rowArrays(): AsyncGenerator<Row[]> {
    for await (const chunk of input) {
      const columns = internalize(chunk).columns
      yield chunk.rows.map((r) => toRow(columns, r))
    }
  }
  try {
    for await (const out of t.fn(rowArrays(), ctx) as AsyncIterable<unknown>) {
      if (!Array.isArray(out)) {
        throw new TypeError(
          `it yielded ${out === null ? 'null' : typeof out}, not an array of rows`,
        )
      }
      const rows: Value[][] = []
      encoder.encodeAll(out, rows)
      yield { columns: encoder.columns.slice(), rows, rejects: [] }
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
  const encoder = createRowEncoder()
  if (t.mode === 'row') return rowMode(t, input, ctx, maxRejects, encoder)
  if (t.mode === 'batch') return batchMode(t, input, ctx, maxRejects, encoder)
  return streamMode(t, input, ctx, encoder)
}
