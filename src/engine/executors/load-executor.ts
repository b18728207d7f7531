import type { PipelineSpec, TaskSpecOf } from '../../core/spec/pipeline-spec.js'
import type { WriteContext, WriteResult } from '../../data/connector-contract.js'
import type { DataPlane } from '../data-plane.js'
import type { TaskExecutor } from '../task-context.js'
import { countRows } from './count-rows.js'
import { openDestination } from './open-connector-io.js'
import { inputDatasetId, upstreamRelations } from './input-dataset.js'
import { runTaskChecks } from './run-task-checks.js'
import { destinationOutputs, destinationRejects } from './quarantine-rejects.js'

interface DatasetOutputs {
  readonly dataset?: string
  readonly watermark?: unknown
  /** Set when a sql/transform task passed on its input's watermark: the extract's task id. */
  readonly watermark_key?: string
}

/**
 * `load`: an upstream dataset → a destination, in one destination transaction; when the upstream
 * extract was incremental, its watermark commits in that same transaction. A destination with
 * `writeCsv` (PostgreSQL) gets the dataset as a CSV byte stream from DuckDB, with no JS row loop.
 */
export function loadExecutor(spec: PipelineSpec, plane: DataPlane): TaskExecutor {
  return {
    type: 'load',
    async execute(ctx) {
      const task = ctx.task as TaskSpecOf<'load'>
      const inputId = inputDatasetId(ctx, task.input)
      const upstream = ctx.upstream[inputId] as DatasetOutputs | undefined
      const datasets = await plane.datasets()
      // inline checks on a load gate it: they run over its input before anything is written
      if (task.checks !== undefined && task.checks.length > 0) {
        const relations = upstreamRelations(ctx, datasets)
        await runTaskChecks(
          ctx,
          plane,
          task.checks,
          { sql: datasets.sqlRef(ctx.runId, inputId), relations },
          `dataset ${inputId} before loading it`,
        )
      }
      const { schema } = await datasets.describe(ctx.runId, inputId)
      const dest = openDestination(plane.registry, spec, task.destination, ctx.baseDir)
      const policy = task.destination.on_error
      const rejects = destinationRejects(policy, task.destination.max_bad_rows)
      try {
        const write: WriteContext = {
          signal: ctx.signal,
          schema,
          mode: task.destination.mode ?? 'append',
          ...(task.destination.keys && { keys: task.destination.keys }),
          ...(upstream?.watermark !== undefined && {
            watermark: {
              pipeline: ctx.pipeline,
              key: upstream.watermark_key ?? inputId,
              value: upstream.watermark,
            },
          }),
          ...(rejects && { rejects }),
          log: (t) => ctx.log(t),
        }
        // The fast path: DuckDB writes the Parquet dataset as CSV straight into the destination.
        const csv = dest.writeCsv && (await datasets.csvStream(ctx.runId, inputId, ctx.signal))
        let result: WriteResult
        if (csv) {
          try {
            ctx.log('streaming the dataset as CSV into the destination (fast path, no row loop)')
            result = await dest.writeCsv!({ ...write, schema: csv.schema }, csv.stream)
          } finally {
            csv.stream.destroy()
            await csv.closed
          }
          ctx.metric('rows_in', result.rowsWritten + result.rowsRejected)
        } else {
          result = await dest.write(
            write,
            countRows(datasets.read(ctx.runId, inputId), (n) => ctx.metric('rows_in', n)),
          )
        }
        ctx.metric('rows_out', result.rowsWritten)
        return { outputs: await destinationOutputs(ctx, plane, result, policy) }
      } finally {
        await dest.close()
      }
    },
  }
}
