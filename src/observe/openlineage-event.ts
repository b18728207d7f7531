import { createHash } from 'node:crypto'
import type { LineageDatasetNode, LineageGraph } from './lineage-graph.js'
import { taskNodeId } from './lineage-graph.js'

export const OPENLINEAGE_SCHEMA_URL =
  'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent'
export const DEFAULT_PRODUCER = 'https://github.com/sluice/sluice'

const FACETS = 'https://openlineage.io/spec/facets'
const URLS = {
  schema: `${FACETS}/1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet`,
  columnLineage: `${FACETS}/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet`,
  outputStatistics: `${FACETS}/1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet`,
  parent: `${FACETS}/1-0-1/ParentRunFacet.json#/$defs/ParentRunFacet`,
  errorMessage: `${FACETS}/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet`,
  jobType: `${FACETS}/2-0-3/JobTypeJobFacet.json#/$defs/JobTypeJobFacet`,
  sql: `${FACETS}/1-0-1/SQLJobFacet.json#/$defs/SQLJobFacet`,
}

export type OpenLineageEventType = 'START' | 'RUNNING' | 'COMPLETE' | 'FAIL' | 'ABORT'

/** One output column of a SQL task and its input columns (column-lineage's OutputColumnLineage). */
export interface ColumnLineageInput {
  readonly name: string | undefined
  readonly inputs: readonly { readonly table: string; readonly column: string }[] | undefined
  readonly transformation: 'IDENTITY' | 'TRANSFORMATION' | 'AGGREGATION' | undefined
}

export interface OpenLineageEventInput {
  readonly eventType: OpenLineageEventType
  readonly eventTime: Date | string
  /** The sluice run id; the OpenLineage runId is a UUID derived from it (and task, attempt). */
  readonly runId: string
  readonly pipeline: string
  /** Set for a task job (`pipeline.task`), whose parent is the pipeline run. */
  readonly task?: string
  readonly attempt?: number
  /** Job namespace. Default `sluice`. */
  readonly namespace?: string
  readonly producer?: string
  /** Input and output datasets; for a task, default: its edges in `graph`. */
  readonly inputs?: readonly LineageDatasetNode[]
  readonly outputs?: readonly LineageDatasetNode[]
  readonly graph?: LineageGraph
  /** Column lineage of a SQL task's output (table names are the SQL's view names, i.e. upstream task ids). */
  readonly columnLineage?: readonly ColumnLineageInput[]
  /** Maps a SQL table name to its dataset; default `sluice` / `pipeline.table`. */
  readonly resolveTable?: (table: string) => { namespace: string; name: string }
  /** The SQL of a SQL task (SQLJobFacet). */
  readonly sql?: string
  readonly error?: { readonly code: string; readonly message: string }
}

type Facet = { _producer: string; _schemaURL: string } & Record<string, unknown>

export interface OpenLineageDataset {
  readonly namespace: string
  readonly name: string
  readonly facets: Record<string, Facet>
  readonly outputFacets?: Record<string, Facet>
}

/** An OpenLineage 1.x (spec 2-0-2) RunEvent, as JSON. */
export interface OpenLineageRunEvent {
  readonly eventType: OpenLineageEventType
  readonly eventTime: string
  readonly producer: string
  readonly schemaURL: string
  readonly run: { readonly runId: string; readonly facets: Record<string, Facet> }
  readonly job: {
    readonly namespace: string
    readonly name: string
    readonly facets: Record<string, Facet>
  }
  readonly inputs: readonly OpenLineageDataset[]
  readonly outputs: readonly OpenLineageDataset[]
}

/**
 * A stable UUID (version 5 layout, SHA-1) for a name: OpenLineage wants UUID run ids, sluice's
 * are readable strings; the same run (task, attempt) always maps to the same UUID.
 */
export function openLineageRunUuid(name: string): string {
  const h = createHash('sha1').update(`sluice:${name}`).digest()
  h[6] = (h[6]! & 0x0f) | 0x50
  h[8] = (h[8]! & 0x3f) | 0x80
  const x = h.subarray(0, 16).toString('hex')
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`
}

/**
 * Builds the OpenLineage RunEvent for the START / COMPLETE / FAIL (/ABORT) of a pipeline run, or
 * of one task job (`task` set: job `pipeline.task`, a ParentRunFacet pointing at the pipeline
 * run). Datasets carry a schema facet, outputs a row count, and a SQL task's output a
 * columnLineage facet; FAIL carries an errorMessage facet. Pure.
 */
export function openLineageEvent(input: OpenLineageEventInput): OpenLineageRunEvent {
  const producer = input.producer ?? DEFAULT_PRODUCER
  const namespace = input.namespace ?? 'sluice'
  const facet = (url: string, body: Record<string, unknown>): Facet => ({
    _producer: producer,
    _schemaURL: url,
    ...body,
  })
  const runUuid = openLineageRunUuid(input.runId)
  const isTask = input.task !== undefined
  const runFacets: Record<string, Facet> = {}
  if (isTask) {
    runFacets.parent = facet(URLS.parent, {
      run: { runId: runUuid },
      job: { namespace, name: input.pipeline },
    })
  }
  if (input.error && (input.eventType === 'FAIL' || input.eventType === 'ABORT')) {
    runFacets.errorMessage = facet(URLS.errorMessage, {
      message: `${input.error.code}: ${input.error.message}`,
      programmingLanguage: 'TypeScript',
    })
  }
  const jobFacets: Record<string, Facet> = {
    jobType: facet(URLS.jobType, {
      processingType: 'BATCH',
      integration: 'SLUICE',
      jobType: isTask ? 'TASK' : 'PIPELINE',
    }),
  }
  if (input.sql !== undefined) jobFacets.sql = facet(URLS.sql, { query: input.sql })

  let inputs = input.inputs
  let outputs = input.outputs
  if (isTask && input.graph && (!inputs || !outputs)) {
    const io = taskDatasets(input.graph, input.pipeline, input.task)
    inputs ??= io.inputs
    outputs ??= io.outputs
  }
  const resolveTable =
    input.resolveTable ??
    ((table: string) => ({ namespace: 'sluice', name: `${input.pipeline}.${table}` }))
  const dataset = (d: LineageDatasetNode, output: boolean, first: boolean): OpenLineageDataset => {
    const facets: Record<string, Facet> = {}
    if (d.fields) {
      facets.schema = facet(URLS.schema, {
        fields: d.fields.map((f) => ({ name: f.name, type: f.type })),
      })
    }
    if (output && first && input.columnLineage) {
      const fields: Record<string, unknown> = {}
      for (const c of input.columnLineage) {
        if (c.name === undefined || c.inputs === undefined) continue
        fields[c.name] = {
          inputFields: c.inputs.map((ref) => ({
            ...resolveTable(ref.table),
            field: ref.column,
            transformations: [{ type: 'DIRECT', subtype: c.transformation ?? 'TRANSFORMATION' }],
          })),
        }
      }
      facets.columnLineage = facet(URLS.columnLineage, { fields })
    }
    const out: OpenLineageDataset = { namespace: d.namespace, name: d.name, facets }
    if (output && d.rows !== undefined && input.eventType === 'COMPLETE') {
      return {
        ...out,
        outputFacets: { outputStatistics: facet(URLS.outputStatistics, { rowCount: d.rows }) },
      }
    }
    return out
  }
  return {
    eventType: input.eventType,
    eventTime:
      typeof input.eventTime === 'string' ? input.eventTime : input.eventTime.toISOString(),
    producer,
    schemaURL: OPENLINEAGE_SCHEMA_URL,
    run: {
      runId: isTask
        ? openLineageRunUuid(`${input.runId}/${input.task}/${input.attempt ?? 0}`)
        : runUuid,
      facets: runFacets,
    },
    job: {
      namespace,
      name: isTask ? `${input.pipeline}.${input.task}` : input.pipeline,
      facets: jobFacets,
    },
    inputs: (inputs ?? []).map((d) => dataset(d, false, false)),
    outputs: (outputs ?? []).map((d, i) => dataset(d, true, i === 0)),
  }
}

/** A task's input and output datasets, from its edges in the graph. */
export function taskDatasets(
  graph: LineageGraph,
  pipeline: string,
  task: string,
): { inputs: LineageDatasetNode[]; outputs: LineageDatasetNode[] } {
  const id = taskNodeId(pipeline, task)
  const pick = (ids: string[]) =>
    ids.map((x) => graph.nodes.get(x)).filter((n): n is LineageDatasetNode => n?.kind === 'dataset')
  return {
    inputs: pick(graph.edges.filter((e) => e.to === id).map((e) => e.from)),
    outputs: pick(graph.edges.filter((e) => e.from === id).map((e) => e.to)),
  }
}
