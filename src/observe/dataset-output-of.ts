import type { ColumnLineageEntry, TaskDatasetOutput } from './lineage-graph.js'

/** What lineage needs of a task attempt's outputs (dataset, rows, schema, column lineage). */
export function datasetOutputOf(outputs: unknown): TaskDatasetOutput | undefined {
  if (outputs === null || typeof outputs !== 'object' || Array.isArray(outputs)) return undefined
  const rec = outputs as Record<string, unknown>
  return {
    ...(typeof rec.dataset === 'string' && { dataset: rec.dataset }),
    ...(typeof rec.rows === 'number' && { rows: rec.rows }),
    ...(Array.isArray(rec.schema) && {
      schema: rec.schema.filter((c): c is string => typeof c === 'string'),
    }),
    ...(Array.isArray(rec.column_lineage) && {
      columnLineage: rec.column_lineage.filter(isColumnLineage),
    }),
  }
}

function isColumnLineage(v: unknown): v is ColumnLineageEntry {
  const o = v as Partial<ColumnLineageEntry> | null
  return (
    typeof o === 'object' &&
    o !== null &&
    typeof o.column === 'string' &&
    Array.isArray(o.inputs) &&
    o.inputs.every((i) => typeof i === 'string') &&
    typeof o.transformation === 'string'
  )
}
