import type { TableSchema, Value } from '../../data/column-type.js'
import { isColumnar } from '../../data/duckdb/columnar-row-batch.js'
import type { RowBatch } from '../../data/row-batch.js'
import type { InputChunk } from './apply-transform.js'

/**
 * Input batches as column-major chunks for applyTransform (columns cross a thread boundary much
 * cheaper than one array per record; a ColumnarRowBatch passes its vectors as they are),
 * numbering records from `firstRow` (default 1); remembers the last schema.
 */
export async function* inputChunks(
  input: AsyncIterable<RowBatch>,
  seen: { schema: TableSchema | undefined },
  firstRow = 1,
): AsyncGenerator<InputChunk> {
  let next = firstRow
  let columns: readonly string[] = []
  for await (const batch of input) {
    if (batch.schema !== seen.schema) {
      seen.schema = batch.schema
      columns = batch.schema.columns.map((c) => c.name)
    }
    if (isColumnar(batch)) {
      yield { columns, vectors: batch.vectors, rowCount: batch.rowCount, firstRow: next }
      next += batch.rowCount
      continue
    }
    const { rows } = batch
    const vectors: Value[][] = []
    for (let c = 0; c < columns.length; c++) {
      const values: Value[] = []
      for (let r = 0; r < rows.length; r++) values.push(rows[r]![c] ?? null)
      vectors.push(values)
    }
    yield { columns, vectors, rowCount: rows.length, firstRow: next }
    next += rows.length
  }
}
