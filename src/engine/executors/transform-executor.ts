import { randomUUID } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { join, relative, resolve } from 'node:path'
import { parseDuration } from '../../core/duration.js'
import { SluiceError } from '../../core/sluice-error.js'
import type { PipelineSpec, TaskSpecOf } from '../../core/spec/pipeline-spec.js'
import type { TableSchema } from '../../data/column-type.js'
import type { RejectedRecord } from '../../data/connector-contract.js'
import type { DatasetInfo } from '../../data/datasets/dataset-store.js'
import { quoteLiteral } from '../../data/duckdb/quote-literal.js'
import { isColumnar } from '../../data/duckdb/columnar-row-batch.js'
import { streamColumns } from '../../data/duckdb/stream-columns.js'
import { DEFAULT_BATCH_ROWS, type RowBatch } from '../../data/row-batch.js'
import { parseColumnType } from '../../data/types/parse-column-type.js'
import type { InlineTransform } from '../../transforms/code/code-transform-options.js'
import type { CodeTransformReject } from '../../transforms/code/code-transform-options.js'
import { runCodeTransform } from '../../transforms/code/run-code-transform.js'
import { runPartitionedTransform } from '../../transforms/code/run-partitioned-transform.js'
import { compileOps } from '../../transforms/ops/compile-ops.js'
import type { DataPlane } from '../data-plane.js'
import type { Json, TaskContext, TaskExecutor, TaskOutcome } from '../task-context.js'
import { carriedWatermark } from './carried-watermark.js'
import { datasetOutputs } from './dataset-outputs.js'
import { inputDatasetId, upstreamDatasets } from './input-dataset.js'
import { quarantineRejects } from './quarantine-rejects.js'

const DEFAULT_TIMEOUT_MS = 3_600_000

/**
 * `transform`: the input dataset through built-in `ops:` (compiled to one DuckDB query, no JS row
 * loop; fitted parameters of scaling and outliers go to the outputs), a TS `module:` run in
 * worker threads with the task's timeout and `resources.memory_mb` (per thread) as their limits,
 * or (TS pipelines) a `map` / `transform` function passed directly, run in-process. A module
 * over a Parquet input runs in up to one worker per core, each reading its share of the input
 * rows and writing Parquet parts itself (runPartitionedTransform), merged here into the dataset.
 * Records the function throws on follow `on_error`: quarantined ones are kept as the task's
 * rejects dataset.
 */
export function transformExecutor(spec: PipelineSpec, plane: DataPlane): TaskExecutor {
  return {
    type: 'transform',
    async execute(ctx): Promise<TaskOutcome> {
      const task = ctx.task as TaskSpecOf<'transform'>
      const inputId = inputDatasetId(ctx, task.input)
      const outcome =
        task.ops !== undefined
          ? await runOps(ctx, plane, task, inputId)
          : await runModule(ctx, plane, spec, task, inputId)
      const carried = carriedWatermark(ctx.upstream)
      return carried
        ? { outputs: { ...(outcome.outputs as { [key: string]: Json }), ...carried } }
        : outcome
    },
  }
}

async function runOps(
  ctx: TaskContext,
  plane: DataPlane,
  task: TaskSpecOf<'transform'>,
  inputId: string,
): Promise<TaskOutcome> {
  const datasets = await plane.datasets()
  const relation = async (id: string) => ({
    sql: datasets.sqlRef(ctx.runId, id),
    columns: (await datasets.describe(ctx.runId, id)).schema.columns.map((c) => c.name),
  })
  const relations: Record<string, { sql: string; columns: string[] }> = {}
  for (const id of upstreamDatasets(ctx)) relations[id] = await relation(id)
  const compiled = compileOps(task.ops ?? [], relations[inputId]!, relations)
  const info = await datasets
    .writeQuery(ctx.runId, ctx.taskId, compiled.sql)
    .catch((e: unknown) => {
      throw opsError(e, ctx.taskId)
    })
  ctx.metric('rows_in', (await datasets.describe(ctx.runId, inputId)).rowCount)
  ctx.metric('rows_out', info.rowCount)
  const outputs: { [key: string]: Json } = datasetOutputs(info)
  if (compiled.fitted.length > 0) {
    const engine = await plane.engine()
    const fitted: { [key: string]: Json } = {}
    for (const f of compiled.fitted) {
      const { rows } = await engine.all(f.sql)
      const v = rows[0]?.[0]
      fitted[f.name] = typeof v === 'string' ? (JSON.parse(v) as Json) : null
    }
    outputs.fitted = fitted
  }
  return { outputs }
}

async function runModule(
  ctx: TaskContext,
  plane: DataPlane,
  spec: PipelineSpec,
  task: TaskSpecOf<'transform'>,
  inputId: string,
): Promise<TaskOutcome> {
  const datasets = await plane.datasets()
  const inline =
    task.map !== undefined || task.transform !== undefined
      ? {
          ...(task.map && { map: task.map as InlineTransform['map'] }),
          ...(task.transform && { transform: task.transform as InlineTransform['transform'] }),
        }
      : undefined
  const module = inline ? undefined : resolve(ctx.baseDir, task.module!)
  const schema: TableSchema | undefined = task.columns && {
    columns: Object.entries(task.columns).map(([name, type]) => ({
      name,
      type: parseColumnType(type),
      nullable: true,
    })),
  }
  const timeout = task.timeout ?? spec.defaults?.timeout
  const common = {
    ...(task.export !== undefined && { exportName: task.export }),
    ...(schema && { schema }),
    onError: task.on_error ?? 'fail',
    ...(task.max_bad_rows !== undefined && { maxBadRows: task.max_bad_rows }),
    timeoutMs:
      timeout === undefined ? DEFAULT_TIMEOUT_MS : (parseDuration(timeout) ?? DEFAULT_TIMEOUT_MS),
    ...(task.resources?.memory_mb !== undefined && { memoryMb: task.resources.memory_mb }),
    signal: ctx.signal,
    ctx: { params: ctx.params, taskId: ctx.taskId, runId: ctx.runId },
    log: (t: string) => ctx.log(t),
  } as const
  const batchRows = task.batch_size ?? DEFAULT_BATCH_ROWS
  let info: DatasetInfo
  let rejected: readonly CodeTransformReject[]
  if (module !== undefined && datasets.exists(ctx.runId, inputId)) {
    // The workers read the input Parquet file and write Parquet parts themselves, in parallel.
    const partDir = join(datasets.dir(ctx.runId, ctx.taskId), `.tmp-parts-${randomUUID()}`)
    try {
      const input = await datasets.describe(ctx.runId, inputId)
      const out = await runPartitionedTransform({
        ...common,
        module,
        input: { path: datasets.path(ctx.runId, inputId), rowCount: input.rowCount },
        batchRows,
        partDir,
        // workers select their rows by DuckDB's file_row_number, which such a column would hide
        ...(input.schema.columns.some((c) => c.name === 'file_row_number') && { maxWorkers: 1 }),
        onRowsIn: (n) => ctx.metric('rows_in', n),
      })
      rejected = out.rejects
      info =
        out.rowCount > 0
          ? {
              ...(await datasets.writeQuery(
                ctx.runId,
                ctx.taskId,
                `SELECT * FROM read_parquet([${out.parts.map(quoteLiteral).join(', ')}])`,
              )),
              schema: out.schema!,
            }
          : await datasets.write(ctx.runId, ctx.taskId, [], out.schema)
    } finally {
      await rm(partDir, { recursive: true, force: true })
    }
  } else {
    const run = runCodeTransform({
      ...common,
      ...(inline ? { inline } : { module: module! }),
      input: countInput(
        datasets.exists(ctx.runId, inputId)
          ? streamColumns(
              await plane.engine(),
              `SELECT * FROM ${datasets.sqlRef(ctx.runId, inputId)}`,
              batchRows,
            )
          : datasets.read(ctx.runId, inputId), // throws: no such dataset
        (n) => ctx.metric('rows_in', n),
      ),
    })
    info = await datasets.write(ctx.runId, ctx.taskId, run.batches, schema)
    rejected = run.rejects()
  }
  ctx.metric('rows_out', info.rowCount)
  const file = module === undefined ? `task ${ctx.taskId}` : relative(ctx.baseDir, module) || module
  const rejects: RejectedRecord[] = rejected.map((r) => ({
    file,
    line: r.row,
    reason: r.reason,
    raw: r.raw,
  }))
  if (rejects.length > 0 && task.on_error === 'skip')
    ctx.log(`skipped ${rejects.length} record(s) the transform threw on`, 'stderr')
  return {
    outputs: {
      ...datasetOutputs(info),
      ...(await quarantineRejects(ctx, plane, task.on_error === 'quarantine' ? rejects : [])),
      ...(rejects.length > 0 && { rejected: rejects.length }),
    },
  }
}

/** A DuckDB error while running compiled ops: usually a SQL expression of filter, derive or order_by. */
function opsError(e: unknown, taskId: string): unknown {
  if (e instanceof SluiceError || !(e instanceof Error)) return e
  const first = e.message.split('\n')[0] ?? e.message
  const transient = /^(IO|Out of Memory|Interrupt) Error/.test(first)
  return new SluiceError(
    transient ? 'E_TASK_FAILED' : 'E_SQL',
    `ops of ${taskId} failed in DuckDB: ${first}`,
    {
      task: taskId,
      retryable: transient,
      hint: 'the SQL expressions of filter, derive and order_by run as written: check their column names and syntax',
      cause: e,
    },
  )
}

/** Passes batches through, counting rows into `onRows` (without building a columnar batch's rows). */
async function* countInput(
  batches: AsyncIterable<RowBatch>,
  onRows: (n: number) => void,
): AsyncGenerator<RowBatch> {
  for await (const b of batches) {
    onRows(isColumnar(b) ? b.rowCount : b.rows.length)
    yield b
  }
}
