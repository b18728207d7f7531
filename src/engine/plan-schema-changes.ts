import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { ColumnContract, ContractSpec } from '../core/spec/contract-schema.js'
import type { PipelineSpec, TaskSpecOf } from '../core/spec/pipeline-spec.js'
import type { Column, TableSchema } from '../data/column-type.js'
import { formatSchemaDiff } from '../data/types/format-schema-diff.js'
import { parseColumnType } from '../data/types/parse-column-type.js'
import { schemaDiff } from '../data/types/schema-diff.js'
import { DataPlane } from './data-plane.js'
import { openSource } from './executors/open-connector-io.js'

/** What one task's next run would change in its dataset's schema, seen before anything runs. */
export interface PlannedSchemaChange {
  readonly task: string
  /** Where the expected schema comes from. */
  readonly basis: 'contract' | 'source'
  /** The run whose dataset it is compared with; undefined: no earlier dataset to compare. */
  readonly since?: string
  /** Readable diff lines (formatSchemaDiff), `no differences`, or why nothing can be said. */
  readonly diff: string
  readonly compatible: boolean
}

/**
 * For `sluice plan`: the schema each data task would produce, compared with the dataset it wrote
 * in its latest kept run in the workspace. A task with `contract:` is expected to produce the
 * declared columns; with `probe`, an extract also asks its source for its schema (a file's header,
 * a table's columns: cheap reads, no rows). Nothing is written.
 */
export async function planSchemaChanges(
  spec: PipelineSpec,
  workspace: string,
  baseDir: string,
  probe: boolean,
): Promise<PlannedSchemaChange[]> {
  const wanted = Object.entries(spec.tasks).filter(
    ([, t]) =>
      (t as { contract?: unknown }).contract !== undefined || (probe && t.type === 'extract'),
  )
  if (wanted.length === 0) return []
  const plane = new DataPlane(workspace)
  const out: PlannedSchemaChange[] = []
  try {
    const datasets = existsSync(join(workspace, 'datasets')) ? await plane.datasets() : undefined
    for (const [id, task] of wanted) {
      const contract = (task as { contract?: ContractSpec }).contract
      let expected: TableSchema
      let basis: PlannedSchemaChange['basis']
      if (contract !== undefined) {
        basis = 'contract'
        expected = { columns: Object.entries(contract.columns).map(([n, c]) => declared(n, c)) }
      } else {
        basis = 'source'
        const source = openSource(
          plane.registry,
          spec,
          (task as TaskSpecOf<'extract'>).source,
          baseDir,
        )
        try {
          expected = await source.schema({
            signal: new AbortController().signal,
            batchRows: 1,
            log: () => {},
          })
        } catch (e) {
          out.push({
            task: id,
            basis,
            diff: `cannot read the source schema: ${e instanceof Error ? e.message : String(e)}`,
            compatible: false,
          })
          continue
        } finally {
          await source.close()
        }
      }
      const since = datasets && (await datasets.previousRun('', id))
      if (since === undefined || datasets === undefined) {
        out.push({ task: id, basis, diff: 'no earlier dataset to compare with', compatible: true })
        continue
      }
      const before = (await datasets.describe(since, id)).schema
      const diff = schemaDiff(before, expected)
      // a contract does not say which undeclared columns evolve keeps: only report its own
      const relevant =
        basis === 'contract' && (contract?.policy ?? 'evolve') === 'evolve'
          ? { ...diff, removed: [] }
          : diff
      out.push({
        task: id,
        basis,
        since,
        diff: formatSchemaDiff(relevant),
        compatible: diff.compatible,
      })
    }
  } finally {
    await plane.close()
  }
  return out
}

function declared(name: string, c: string | ColumnContract): Column {
  const spec = typeof c === 'string' ? { type: c } : c
  return {
    name,
    type: spec.type === undefined ? { kind: 'string' } : parseColumnType(spec.type),
    nullable: spec.nullable !== false,
  }
}
