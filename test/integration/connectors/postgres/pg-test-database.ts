import type { ReadContext, WriteContext } from '../../../../src/data/connector-contract.js'
import type { TableSchema } from '../../../../src/data/column-type.js'
import type { RowBatch } from '../../../../src/data/row-batch.js'

export { ADMIN_URL, pgAdmin, useTestDatabase } from '../../../helpers/pg-test-database.js'

export function readCtx(since?: unknown, batchRows = 1000): ReadContext {
  return {
    signal: new AbortController().signal,
    batchRows,
    ...(since === undefined ? {} : { since }),
    log: () => {},
  }
}

export function writeCtx(
  schema: TableSchema,
  extra: Partial<Omit<WriteContext, 'schema' | 'log'>> = {},
): WriteContext {
  return { signal: new AbortController().signal, mode: 'append', log: () => {}, schema, ...extra }
}

export async function* batchesOf(
  schema: TableSchema,
  rows: unknown[][],
  size = 1000,
): AsyncIterable<RowBatch> {
  await Promise.resolve()
  for (let i = 0; i < rows.length; i += size)
    yield { schema, rows: rows.slice(i, i + size) as RowBatch['rows'] }
}

export async function collect(it: AsyncIterable<RowBatch>): Promise<unknown[][]> {
  const out: unknown[][] = []
  for await (const b of it) out.push(...(b.rows as unknown[][]))
  return out
}
