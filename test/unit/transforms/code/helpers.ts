import type { Column, ColumnType, TableSchema, Value } from '../../../../src/data/column-type.js'
import type { RowBatch } from '../../../../src/data/row-batch.js'
import {
  runCodeTransform,
  type CodeTransformOptions,
  type CodeTransformRun,
} from '../../../../src/transforms/code/index.js'

export const FIXTURES = new URL('../../../fixtures/transforms/', import.meta.url).pathname

/** A schema from `name: kind` pairs (decimal as `decimal(p,s)`). */
export function schemaOf(spec: Record<string, string>): TableSchema {
  return {
    columns: Object.entries(spec).map(([name, kind]): Column => {
      const dec = /^decimal\((\d+),(\d+)\)$/.exec(kind)
      const type: ColumnType = dec
        ? { kind: 'decimal', precision: Number(dec[1]), scale: Number(dec[2]) }
        : ({ kind } as ColumnType)
      return { name, type, nullable: true }
    }),
  }
}

/** Rows cut into batches of `size`. */
export async function* batchesOf(
  schema: TableSchema,
  rows: readonly (readonly Value[])[],
  size: number,
): AsyncGenerator<RowBatch> {
  for (let i = 0; i < rows.length; i += size) {
    await Promise.resolve() // an upstream that really is asynchronous
    yield { schema, rows: rows.slice(i, i + size) }
  }
}

export interface Collected {
  readonly batches: RowBatch[]
  /** All output rows as objects. */
  readonly rows: Record<string, Value>[]
  readonly logs: string[]
  readonly run: CodeTransformRun
}

/** Runs a transform to the end and gathers everything it produced. */
export async function collect(
  options: Partial<CodeTransformOptions> & Pick<CodeTransformOptions, 'input'>,
): Promise<Collected> {
  const logs: string[] = []
  const run = runCodeTransform({
    onError: 'fail',
    timeoutMs: 20_000,
    memoryMb: 128,
    ctx: { params: {}, taskId: 't1', runId: 'r1' },
    log: (text) => logs.push(text),
    ...options,
  })
  const batches: RowBatch[] = []
  for await (const b of run.batches) batches.push(b)
  const rows = batches.flatMap((b) =>
    b.rows.map((r) => Object.fromEntries(b.schema.columns.map((c, i) => [c.name, r[i] as Value]))),
  )
  return { batches, rows, logs, run }
}

/** The rejection of a promise (fails the test when it resolves). */
export async function failure(p: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await p
  } catch (e) {
    return e as Record<string, unknown>
  }
  throw new Error('expected a failure, but it succeeded')
}
