import type { RowBatch } from '../../data/row-batch.js'

/** Passes batches through, counting rows into `onRows`. */
export async function* countRows(
  batches: AsyncIterable<RowBatch>,
  onRows: (n: number) => void,
): AsyncGenerator<RowBatch> {
  for await (const b of batches) {
    onRows(b.rows.length)
    yield b
  }
}
