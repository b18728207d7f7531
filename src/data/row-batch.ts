import type { TableSchema, Value } from './column-type.js'

/** A batch of rows, row-major, in the order of `schema.columns`. Default size 10,000 rows. */
export interface RowBatch {
  readonly schema: TableSchema
  readonly rows: readonly (readonly Value[])[]
}

export const DEFAULT_BATCH_ROWS = 10_000
