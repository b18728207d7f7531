import type { Value } from '../../../../src/data/column-type.js'
import type { ReadContext } from '../../../../src/data/connector-contract.js'
import type { RowBatch } from '../../../../src/data/row-batch.js'

export function readCtx(logs: string[] = [], batchRows = 10_000): ReadContext {
  return { signal: new AbortController().signal, batchRows, log: (t) => logs.push(t) }
}

export async function collect(
  batches: AsyncIterable<RowBatch>,
): Promise<{ names: string[]; rows: Value[][] }> {
  let names: string[] = []
  const rows: Value[][] = []
  for await (const b of batches) {
    names = b.schema.columns.map((c) => c.name)
    for (const r of b.rows) rows.push([...r])
  }
  return { names, rows }
}

export async function* fromRows(batches: RowBatch[]): AsyncGenerator<RowBatch> {
  for (const b of batches) yield await Promise.resolve(b)
}
