import { join } from 'node:path'
import type { TableSchema } from '../../data/column-type.js'
import { appendColumns } from '../../data/duckdb/append-columns.js'
import type { ColumnarRowBatch } from '../../data/duckdb/columnar-row-batch.js'
import type { DuckDBEngine } from '../../data/duckdb/duckdb-engine.js'
import { duckdbTypeName } from '../../data/duckdb/duckdb-type-name.js'
import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'
import { quoteLiteral } from '../../data/duckdb/quote-literal.js'

/** Writes batches of one schema as numbered Parquet part files. */
export interface PartWriter {
  append(batch: ColumnarRowBatch): Promise<void>
  /** Writes what is staged; returns the part files in order and the number of rows. */
  finish(): Promise<{ parts: string[]; rowCount: number }>
}

/**
 * A PartWriter on `engine` (a DuckDB of one worker): rows go through an appender into a table
 * (data chunks, appendColumns) and, every `partRows` rows, to `<dir>/<prefix>-<n>.parquet`
 * (snappy: parts are merged into the dataset later), so the table stays small.
 */
export async function createPartWriter(
  engine: DuckDBEngine,
  schema: TableSchema,
  dir: string,
  prefix: string,
  partRows: number,
): Promise<PartWriter> {
  const c = await engine.connect()
  const table = `_sluice_part_${prefix.replace(/\W/g, '_')}`
  const cols = schema.columns
    .map((col) => `${quoteIdentifier(col.name)} ${duckdbTypeName(col.type)}`)
    .join(', ')
  await c.run(`CREATE TABLE ${table} (${cols})`)
  const types = schema.columns.map((col) => col.type)
  let appender = await c.createAppender(table)
  const parts: string[] = []
  let rowCount = 0
  let staged = 0
  const flush = async (): Promise<void> => {
    appender.closeSync()
    const part = join(dir, `${prefix}-${parts.length}.parquet`)
    await c.run(
      `COPY ${table} TO ${quoteLiteral(part)} (FORMAT parquet, COMPRESSION snappy); TRUNCATE ${table}`,
    )
    parts.push(part)
    staged = 0
  }
  return {
    async append(batch) {
      if (batch.rowCount === 0) return
      // no flush per batch: the appender flushes its own buffer (larger, so cheaper per row)
      appendColumns(appender, types, batch.vectors, batch.rowCount)
      rowCount += batch.rowCount
      staged += batch.rowCount
      if (staged >= partRows) {
        await flush()
        appender = await c.createAppender(table)
      }
    },
    async finish() {
      if (staged > 0) await flush()
      else appender.closeSync()
      engine.release(c)
      return { parts, rowCount }
    },
  }
}
