import type { DuckDBResult } from '@duckdb/node-api'
import type { TableSchema, Value } from '../column-type.js'
import { DEFAULT_BATCH_ROWS } from '../row-batch.js'
import { columnarRowBatch, type ColumnarRowBatch } from './columnar-row-batch.js'
import { duckdbColumnReader } from './duckdb-column-reader.js'
import { duckdbColumnType } from './duckdb-column-type.js'
import type { DuckDBEngine } from './duckdb-engine.js'

/**
 * Streams a query's rows like `DuckDBEngine.stream` (same values, same batch sizes), but column
 * by column: each batch is a ColumnarRowBatch whose row arrays are built only if `rows` is read.
 * For consumers that work on columns (a code transform's worker), this saves one array per
 * record, and reads fixed-width and text columns straight from DuckDB's vectors
 * (duckdbColumnReader). Runs on its own connection; stopping the iteration early interrupts the query.
 */
export async function* streamColumns(
  engine: DuckDBEngine,
  sql: string,
  batchRows: number = DEFAULT_BATCH_ROWS,
): AsyncGenerator<ColumnarRowBatch> {
  const c = await engine.connect()
  let done = false
  try {
    const result: DuckDBResult = await c.stream(sql)
    const types = result.columnTypes()
    const names = result.columnNames()
    const schema: TableSchema = {
      columns: names.map((name, i) => ({
        name,
        type: duckdbColumnType(types[i]!),
        nullable: true,
      })),
    }
    const readers = types.map((t) => duckdbColumnReader(t, engine.api))
    const width = readers.length
    let vectors: Value[][] = readers.map(() => [])
    let rowCount = 0
    for (;;) {
      const chunk = await result.fetchChunk()
      if (chunk === null || chunk.rowCount === 0) break
      const n = chunk.rowCount
      for (let lo = 0; lo < n;) {
        const hi = Math.min(n, lo + batchRows - rowCount)
        for (let i = 0; i < width; i++) readers[i]!(chunk, i, lo, hi, vectors[i]!)
        rowCount += hi - lo
        lo = hi
        if (rowCount >= batchRows) {
          yield columnarRowBatch(schema, vectors, rowCount)
          vectors = readers.map(() => [])
          rowCount = 0
        }
      }
    }
    if (rowCount > 0) yield columnarRowBatch(schema, vectors, rowCount)
    done = true
  } finally {
    if (!done) c.interrupt()
    engine.release(c)
  }
}
