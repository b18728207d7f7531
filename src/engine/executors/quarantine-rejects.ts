import type { TableSchema } from '../../data/column-type.js'
import type { RejectedRecord, WriteContext, WriteResult } from '../../data/connector-contract.js'
import type { DataPlane } from '../data-plane.js'
import type { Json, TaskContext } from '../task-context.js'

const REJECTS_SCHEMA: TableSchema = {
  columns: [
    { name: 'file', type: { kind: 'string' }, nullable: false },
    { name: 'line', type: { kind: 'int64' }, nullable: false },
    { name: 'reason', type: { kind: 'string' }, nullable: false },
    { name: 'raw', type: { kind: 'string' }, nullable: false },
  ],
}

/** The dataset id holding a task's rejected records (`sluice rejects RUN TASK` reads it). */
export function rejectsDatasetId(taskId: string): string {
  return `${taskId}.rejects`
}

/** Refused rows a database destination may set aside when `max_bad_rows` is not given. */
export const DEFAULT_DESTINATION_MAX_BAD_ROWS = 10_000

/** What a destination should do with rows it refuses, from `on_error` and `max_bad_rows`. */
export function destinationRejects(
  policy: 'fail' | 'skip' | 'quarantine' | undefined,
  max: number | undefined,
): WriteContext['rejects'] {
  if (policy === undefined || policy === 'fail') return undefined
  return { max: max ?? DEFAULT_DESTINATION_MAX_BAD_ROWS }
}

/**
 * Records a source skipped or a destination refused are kept as a dataset beside the task's own
 * (file, line, reason, raw text), never silently dropped. Returns outputs to merge into the task's.
 */
export async function quarantineRejects(
  ctx: TaskContext,
  plane: DataPlane,
  rejects: readonly RejectedRecord[],
): Promise<{ [key: string]: Json }> {
  if (rejects.length === 0) return {}
  const datasets = await plane.datasets()
  const rows = rejects.map((r) => [r.file, BigInt(r.line), r.reason, r.raw])
  const info = await datasets.write(
    ctx.runId,
    rejectsDatasetId(ctx.taskId),
    [{ schema: REJECTS_SCHEMA, rows }],
    REJECTS_SCHEMA,
  )
  const first = rejects[0]!
  ctx.log(
    `${rejects.length} record(s) rejected and kept in ${info.path}; first: ${first.file}:${first.line}: ${first.reason}`,
    'stderr',
  )
  return { rejected: rejects.length, rejects_dataset: info.path }
}

/** What a write to a destination hands on: rows written, rows refused (kept under quarantine). */
export async function destinationOutputs(
  ctx: TaskContext,
  plane: DataPlane,
  result: WriteResult,
  policy: 'fail' | 'skip' | 'quarantine' | undefined,
): Promise<{ [key: string]: Json }> {
  return {
    rows: result.rowsWritten,
    rejected: result.rowsRejected,
    ...(await quarantineRejects(
      ctx,
      plane,
      policy === 'quarantine' ? (result.rejected ?? []) : [],
    )),
  }
}
