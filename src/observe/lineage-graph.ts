import { producesDataset } from '../core/tasks/produces-dataset.js'
import { TASK_TYPES, type TaskTypeName } from '../core/tasks/task-types.js'

/** A task as lineage needs it (the pipeline spec's task, snake_case keys as written). */
export interface LineageTaskSpec {
  readonly type: string
  readonly depends_on?: string | readonly string[]
  readonly input?: string | readonly string[]
  readonly connection?: string
  readonly source?: {
    readonly connection?: string
    readonly path?: string
    readonly table?: string
    readonly query?: string
  }
  readonly destination?: {
    readonly connection?: string
    readonly path?: string
    readonly table?: string
  }
}

export interface LineagePipelineSpec {
  readonly name: string
  readonly tasks: Readonly<Record<string, LineageTaskSpec>>
}

/** What a data task recorded about its dataset (`datasetOutputs`: dataset path, rows, schema). */
export interface TaskDatasetOutput {
  readonly dataset?: string
  readonly rows?: number
  /** `name type[ not null]` per column. */
  readonly schema?: readonly string[]
  /** A SQL task's column lineage: each output column's upstream columns (`task.column`). */
  readonly columnLineage?: readonly ColumnLineageEntry[]
}

/** One output column of a SQL task and the upstream columns it is computed from. */
export interface ColumnLineageEntry {
  readonly column: string
  /** `task.column` of the upstream datasets. */
  readonly inputs: readonly string[]
  readonly transformation: string
}

/** A column of a dataset node. */
export interface LineageField {
  readonly name: string
  readonly type: string
  readonly nullable: boolean
  /** Column level (SQL tasks): the dataset columns this one is computed from. */
  readonly inputs?: readonly { readonly dataset: string; readonly column: string }[]
  readonly transformation?: string
}

export interface LineageDatasetNode {
  readonly kind: 'dataset'
  /** `namespace:name`. */
  readonly id: string
  /** OpenLineage dataset namespace: `sluice` (a task's dataset), `file`, or the connection's. */
  readonly namespace: string
  /** `pipeline.task`, a file path, or a table name. */
  readonly name: string
  /** The task that produces this dataset inside the pipeline, if any. */
  readonly producer?: string
  /** Where the dataset of this run lives (dataset store path, or the file path). */
  readonly path?: string
  readonly rows?: number
  readonly fields?: readonly LineageField[]
}

export interface LineageTaskNode {
  readonly kind: 'task'
  /** `task:pipeline.task`. */
  readonly id: string
  readonly pipeline: string
  readonly task: string
  readonly type: string
}

export type LineageNode = LineageDatasetNode | LineageTaskNode

/** `from` → `to`: a dataset read by a task, or a task writing a dataset. */
export interface LineageEdge {
  readonly from: string
  readonly to: string
}

export interface LineageGraph {
  readonly nodes: ReadonlyMap<string, LineageNode>
  readonly edges: readonly LineageEdge[]
}

export interface BuildLineageOptions {
  /** A run's task outputs, by task id (rows and schema on the nodes). */
  readonly outputs?: Readonly<Record<string, TaskDatasetOutput | undefined>>
  /**
   * OpenLineage namespace per connection name (e.g. `postgres://db:5432` from the connection URL,
   * password removed). Default: the connection name.
   */
  readonly connectionNamespaces?: Readonly<Record<string, string>>
}

const list = (v: string | readonly string[] | undefined): string[] =>
  v === undefined ? [] : typeof v === 'string' ? [v] : [...v]

/** `task:pipeline.task`. */
export function taskNodeId(pipeline: string, task: string): string {
  return `task:${pipeline}.${task}`
}

/**
 * Dataset-level lineage of a pipeline: task nodes and dataset nodes (the datasets tasks stage,
 * plus the files and tables extracts read and loads write), with edges dataset → task (reads)
 * and task → dataset (writes). Given a run's task outputs, dataset nodes carry the run's path,
 * row count and schema. Pure; dataset ids are stable across runs and pipelines (a table two
 * pipelines share is one node once graphs are merged with `mergeLineageGraphs`).
 */
export function buildLineageGraph(
  spec: LineagePipelineSpec,
  options: BuildLineageOptions = {},
): LineageGraph {
  const nodes = new Map<string, LineageNode>()
  const edges: LineageEdge[] = []
  const pipeline = spec.name
  const ns = (connection: string) => options.connectionNamespaces?.[connection] ?? connection
  const addDataset = (node: Omit<LineageDatasetNode, 'kind' | 'id'>): string => {
    const id = `${node.namespace}:${node.name}`
    const had = nodes.get(id)
    nodes.set(id, { ...(had?.kind === 'dataset' ? had : {}), kind: 'dataset', id, ...node })
    return id
  }
  const external = (
    io: { connection?: string; path?: string; table?: string; query?: string },
    task: string,
  ): string | undefined => {
    if (io.path !== undefined)
      return addDataset({ namespace: 'file', name: io.path, path: io.path })
    if (io.connection === undefined) return undefined
    if (io.table !== undefined) return addDataset({ namespace: ns(io.connection), name: io.table })
    if (io.query !== undefined)
      return addDataset({ namespace: ns(io.connection), name: `query:${pipeline}.${task}` })
    return undefined
  }

  const staged = new Map<string, string>()
  for (const [task, t] of Object.entries(spec.tasks)) {
    nodes.set(taskNodeId(pipeline, task), {
      kind: 'task',
      id: taskNodeId(pipeline, task),
      pipeline,
      task,
      type: t.type,
    })
    if (producesDataset(t)) {
      const out = options.outputs?.[task]
      const node: Omit<LineageDatasetNode, 'kind' | 'id'> = {
        namespace: 'sluice',
        name: `${pipeline}.${task}`,
        producer: task,
        ...(out?.dataset !== undefined && { path: out.dataset }),
        ...(out?.rows !== undefined && { rows: out.rows }),
        ...(out?.schema !== undefined && {
          fields: out.schema.map((f) => withColumnLineage(parseField(f), pipeline, out)),
        }),
      }
      staged.set(task, addDataset(node))
    }
  }
  for (const [task, t] of Object.entries(spec.tasks)) {
    const id = taskNodeId(pipeline, task)
    const out = options.outputs?.[task]
    if (t.type === 'extract' && t.source) {
      const src = external(t.source, task)
      if (src) edges.push({ from: src, to: id })
    }
    if (readsInput(t)) {
      const inputs = list(t.input)
      for (const dep of list(t.depends_on)) {
        if (inputs.length > 0 && !inputs.includes(dep)) continue
        const ds = staged.get(dep)
        if (ds) edges.push({ from: ds, to: id })
      }
    }
    const own = staged.get(task)
    if (own) edges.push({ from: id, to: own })
    if ((t.type === 'load' || t.type === 'extract') && t.destination) {
      const dst = external(t.destination, task)
      if (dst) {
        edges.push({ from: id, to: dst })
        // a load writes the rows of its input; the destination node takes this run's count
        const had = nodes.get(dst)
        if (had?.kind === 'dataset' && out?.rows !== undefined)
          nodes.set(dst, { ...had, rows: out.rows })
      }
    }
  }
  return { nodes, edges }
}

/** Whether a task reads its upstream datasets (an in-database `sql` task reads tables instead). */
function readsInput(t: LineageTaskSpec): boolean {
  if (!Object.hasOwn(TASK_TYPES, t.type)) return false
  if (t.type === 'sql' && t.connection !== undefined) return false
  return TASK_TYPES[t.type as TaskTypeName].readsInput
}

/** `amount decimal(18,2) not null` → { name: 'amount', type: 'decimal(18,2)', nullable: false }. */
function parseField(text: string): LineageField {
  const notNull = text.endsWith(' not null')
  const body = notNull ? text.slice(0, -' not null'.length) : text
  const space = body.lastIndexOf(' ')
  if (space <= 0) return { name: body, type: 'unknown', nullable: !notNull }
  return { name: body.slice(0, space), type: body.slice(space + 1), nullable: !notNull }
}

/** A field with the upstream columns a SQL task computed it from (upstream ids → dataset ids). */
function withColumnLineage(
  field: LineageField,
  pipeline: string,
  out: TaskDatasetOutput,
): LineageField {
  const entry = out.columnLineage?.find((c) => c.column === field.name)
  if (!entry) return field
  const inputs = entry.inputs.flatMap((ref) => {
    const dot = ref.indexOf('.')
    if (dot <= 0) return []
    return [{ dataset: `sluice:${pipeline}.${ref.slice(0, dot)}`, column: ref.slice(dot + 1) }]
  })
  return { ...field, inputs, transformation: entry.transformation }
}

/** One graph from several (pipelines, or runs); later nodes' details win. */
export function mergeLineageGraphs(graphs: readonly LineageGraph[]): LineageGraph {
  const nodes = new Map<string, LineageNode>()
  const seen = new Set<string>()
  const edges: LineageEdge[] = []
  for (const g of graphs) {
    for (const [id, n] of g.nodes) nodes.set(id, { ...nodes.get(id), ...n })
    for (const e of g.edges) {
      const key = `${e.from}\u0000${e.to}`
      if (seen.has(key)) continue
      seen.add(key)
      edges.push(e)
    }
  }
  return { nodes, edges }
}
