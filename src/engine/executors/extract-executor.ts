import type { PipelineSpec, TaskSpecOf } from '../../core/spec/pipeline-spec.js'
import type {
  BulkCsv,
  Destination,
  ReadContext,
  RejectedRecord,
  Source,
} from '../../data/connector-contract.js'
import { DEFAULT_BATCH_ROWS } from '../../data/row-batch.js'
import type { DataPlane } from '../data-plane.js'
import type { Json, TaskContext, TaskExecutor, TaskOutcome } from '../task-context.js'
import { countRows } from './count-rows.js'
import { datasetOutputs } from './dataset-outputs.js'
import { destinationOutputs, destinationRejects, quarantineRejects } from './quarantine-rejects.js'
import { reportSchemaChange } from './report-schema-change.js'
import { openDestination, openSource } from './open-connector-io.js'
import { resumableExtract } from './resumable-extract.js'

/**
 * `extract`: source → dataset (Parquet in the workspace), or source → destination directly when
 * the task has `destination:` (the fast path; an incremental watermark then commits in the same
 * destination transaction as the rows). When the source offers `bulkCsv` and the destination
 * `writeCsv` (file → PostgreSQL), rows stream as CSV bytes with no JS row loop. A staged
 * incremental extract takes its watermark from the destination of the load that reads it, so the
 * two commit together there.
 */
export function extractExecutor(spec: PipelineSpec, plane: DataPlane): TaskExecutor {
  return {
    type: 'extract',
    async execute(ctx): Promise<TaskOutcome> {
      const task = ctx.task as TaskSpecOf<'extract'>
      const source = openSource(plane.registry, spec, task.source, ctx.baseDir)
      const incremental = task.source.incremental !== undefined
      const ref = { pipeline: ctx.pipeline, key: ctx.taskId }
      try {
        if (task.destination) {
          const dest = openDestination(plane.registry, spec, task.destination, ctx.baseDir)
          try {
            const read = readContext(
              ctx,
              task,
              incremental ? await dest.readWatermark(ref) : undefined,
            )
            // rows the destination refuses follow the destination's on_error, else the source's
            const policy = task.destination.on_error ?? task.source.on_error
            const rejects = destinationRejects(
              policy,
              task.destination.max_bad_rows ?? task.source.max_bad_rows,
            )
            const bulk = await bulkPath(source, dest, task, read)
            if (bulk) {
              try {
                ctx.log('streaming DuckDB CSV into the destination (fast path, no row loop)')
                const result = await dest.writeCsv!(
                  {
                    signal: ctx.signal,
                    schema: bulk.schema,
                    mode: task.destination.mode ?? 'append',
                    ...(task.destination.keys && { keys: task.destination.keys }),
                    ...(rejects && { rejects }),
                    log: (t) => ctx.log(t),
                  },
                  bulk.stream,
                )
                ctx.metric('rows_in', result.rowsWritten + result.rowsRejected)
                ctx.metric('rows_out', result.rowsWritten)
                return { outputs: await destinationOutputs(ctx, plane, result, policy) }
              } finally {
                // a destination that failed before reading must not leave DuckDB writing
                bulk.stream.destroy()
              }
            }
            const schema = await source.schema(read)
            const result = await dest.write(
              {
                signal: ctx.signal,
                schema,
                mode: task.destination.mode ?? 'append',
                ...(task.destination.keys && { keys: task.destination.keys }),
                ...(incremental && {
                  watermark: {
                    ...ref,
                    get value() {
                      return source.watermark()
                    },
                  },
                }),
                ...(rejects && { rejects }),
                log: (t) => ctx.log(t),
              },
              countRows(source.read(read), (n) => ctx.metric('rows_in', n)),
            )
            ctx.metric('rows_out', result.rowsWritten)
            return {
              outputs: {
                rows: result.rowsWritten,
                ...(await quarantineRejects(ctx, plane, [
                  ...sourceRejects(task, source),
                  ...(policy === 'quarantine' ? (result.rejected ?? []) : []),
                ])),
                rejected: result.rowsRejected + (source.rejects?.().length ?? 0),
              },
            }
          } finally {
            await dest.close()
          }
        }
        const since = incremental ? await downstreamWatermark(spec, plane, ctx) : undefined
        const read = readContext(ctx, task, since)
        const datasets = await plane.datasets()
        const direct = !incremental && source.toParquet !== undefined
        const info = direct
          ? await datasets.adopt(ctx.runId, ctx.taskId, (tmp) => source.toParquet!(tmp, read))
          : source.checkpoints === true
            ? await resumableExtract(ctx, datasets, source, read)
            : await datasets.write(
                ctx.runId,
                ctx.taskId,
                countRows(source.read(read), (n) => ctx.metric('rows_in', n)),
                await source.schema(read),
              )
        if (direct) ctx.metric('rows_in', info.rowCount)
        ctx.metric('rows_out', info.rowCount)
        const watermark = incremental ? (source.watermark() as Json | undefined) : undefined
        const outputs: { [key: string]: Json } = {
          ...datasetOutputs(info),
          ...(await quarantineRejects(ctx, plane, sourceRejects(task, source))),
          ...(await reportSchemaChange(ctx, plane, info)),
        }
        if (watermark !== undefined) outputs.watermark = watermark
        return { outputs }
      } finally {
        await source.close()
      }
    },
  }
}

/** The records the source skipped, when they are to be kept (`on_error: quarantine`). */
function sourceRejects(task: TaskSpecOf<'extract'>, source: Source): readonly RejectedRecord[] {
  return task.source.on_error === 'quarantine' ? (source.rejects?.() ?? []) : []
}

/**
 * The CSV fast path when both sides offer it and nothing needs the rows in JS: not incremental
 * (the watermark is computed from rows) and not quarantining bad records.
 */
async function bulkPath(
  source: Source,
  dest: Destination,
  task: TaskSpecOf<'extract'>,
  read: ReadContext,
): Promise<BulkCsv | undefined> {
  if (!source.bulkCsv || !dest.writeCsv) return undefined
  if (task.source.incremental !== undefined || task.source.on_error === 'quarantine')
    return undefined
  return source.bulkCsv(read)
}

function readContext(ctx: TaskContext, task: TaskSpecOf<'extract'>, since: unknown): ReadContext {
  return {
    signal: ctx.signal,
    batchRows: task.source.batch_size ?? DEFAULT_BATCH_ROWS,
    ...(since !== undefined && since !== null && { since }),
    log: (t) => ctx.log(t),
  }
}

/**
 * The watermark the (single) load downstream of this extract committed in its destination: the
 * load reading it, or reading a sql/transform task that carries its watermark on.
 */
async function downstreamWatermark(
  spec: PipelineSpec,
  plane: DataPlane,
  ctx: TaskContext,
): Promise<unknown> {
  const loads = downstreamLoads(spec, ctx.taskId)
  if (loads.length !== 1) {
    ctx.log(
      `incremental extract ${ctx.taskId} has ${loads.length} loads downstream; reading everything (no shared watermark)`,
    )
    return undefined
  }
  const dest = openDestination(plane.registry, spec, loads[0]!.destination, ctx.baseDir)
  try {
    return await dest.readWatermark({ pipeline: ctx.pipeline, key: ctx.taskId })
  } finally {
    await dest.close()
  }
}

/** The loads that read `taskId`'s dataset directly or through sql/transform tasks. */
function downstreamLoads(spec: PipelineSpec, taskId: string): TaskSpecOf<'load'>[] {
  const inputsOf = (t: PipelineSpec['tasks'][string]): string[] => {
    const input = 'input' in t ? t.input : undefined
    return input !== undefined ? [input].flat() : [t.depends_on ?? []].flat()
  }
  const loads: TaskSpecOf<'load'>[] = []
  const seen = new Set<string>([taskId])
  const queue = [taskId]
  while (queue.length > 0) {
    const from = queue.shift()!
    for (const [id, t] of Object.entries(spec.tasks)) {
      if (seen.has(id) || !inputsOf(t).includes(from)) continue
      seen.add(id)
      if (t.type === 'load') loads.push(t)
      else if (t.type === 'transform' || (t.type === 'sql' && t.connection === undefined))
        queue.push(id)
    }
  }
  return loads
}
