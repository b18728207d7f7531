import type { TableSchema } from '../../data/column-type.js'
import type { RowBatch } from '../../data/row-batch.js'
import type { InputChunk } from './apply-transform.js'

/** Input batches as chunks for applyTransform, numbering records from 1; remembers the last schema. */
export async function* inputChunks(
  input: AsyncIterable<RowBatch>,
  seen: { schema: TableSchema | undefined },
): AsyncGenerator<InputChunk> {
  let next = 1
  let columns: readonly string[] = []
  for await (const batch of input) {
    if (batch.schema !== seen.schema) {
      seen.schema = batch.schema
      columns = batch.schema.columns.map((c) => c.name)
    }
    yield { columns, rows: batch.rows, firstRow: next }
    next += batch.rows.length
  }
}
