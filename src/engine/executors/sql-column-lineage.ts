import type { DatasetInfo } from '../../data/datasets/dataset-store.js'
import type { DuckDBEngine } from '../../data/duckdb/duckdb-engine.js'
import { columnLineage } from '../../transforms/sql/column-lineage.js'
import type { Json } from '../task-context.js'

/**
 * The column lineage of a DuckDB `sql` task, as task outputs: for each output column the
 * upstream columns (`task.column`) it is computed from and how (IDENTITY, TRANSFORMATION,
 * AGGREGATION). Columns the parse cannot settle are left out; never fails the task.
 */
export async function sqlColumnLineage(
  engine: DuckDBEngine,
  sql: string,
  upstream: Readonly<Record<string, Json | undefined>>,
  info: DatasetInfo,
): Promise<Json[]> {
  const tables: Record<string, string[]> = {}
  for (const [id, out] of Object.entries(upstream)) {
    const schema = (out as { schema?: unknown } | null | undefined)?.schema
    if (Array.isArray(schema)) tables[id] = schema.filter(isString).map(columnName)
  }
  try {
    const lineage = await columnLineage(engine, sql, {
      tables,
      outputColumns: info.schema.columns.map((c) => c.name),
    })
    const out: Json[] = []
    for (const c of lineage.columns ?? []) {
      if (c.name === undefined || c.inputs === undefined) continue
      out.push({
        column: c.name,
        inputs: c.inputs.map((r) => `${r.table}.${r.column}`),
        transformation: c.transformation ?? 'TRANSFORMATION',
      })
    }
    return out
  } catch {
    return []
  }
}

function isString(v: unknown): v is string {
  return typeof v === 'string'
}

/** `amount decimal(18,2) not null` → `amount`. */
function columnName(field: string): string {
  const body = field.endsWith(' not null') ? field.slice(0, -' not null'.length) : field
  const space = body.lastIndexOf(' ')
  return space <= 0 ? body : body.slice(0, space)
}
