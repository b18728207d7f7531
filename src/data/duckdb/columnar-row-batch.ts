import type { TableSchema, Value } from '../column-type.js'
import type { RowBatch } from '../row-batch.js'

/**
 * A RowBatch that also carries its values column by column (`vectors[c][r]`, each of `rowCount`
 * values). Code that works on columns (appendColumns, a code transform's worker) reads `vectors`
 * and skips the row arrays, which are built only when `rows` is read.
 */
export interface ColumnarRowBatch extends RowBatch {
  readonly vectors: readonly (readonly Value[])[]
  readonly rowCount: number
}

/** Whether `batch` is a ColumnarRowBatch. */
export function isColumnar(batch: RowBatch): batch is ColumnarRowBatch {
  return Array.isArray((batch as Partial<ColumnarRowBatch>).vectors)
}

/** A ColumnarRowBatch over `vectors`; its `rows` are made on first read. */
export function columnarRowBatch(
  schema: TableSchema,
  vectors: readonly (readonly Value[])[],
  rowCount: number,
): ColumnarRowBatch {
  let rows: Value[][] | undefined
  return {
    schema,
    vectors,
    rowCount,
    get rows() {
      return (rows ??= Array.from({ length: rowCount }, (_, r) => vectors.map((v) => v[r] ?? null)))
    },
  }
}
