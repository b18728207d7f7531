import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { JsonValue, ReadContext, Source } from '../../data/connector-contract.js'
import type { DatasetInfo, DatasetStore } from '../../data/datasets/dataset-store.js'
import { quoteLiteral } from '../../data/duckdb/quote-literal.js'
import type { TaskContext } from '../task-context.js'
import { BatchChannel } from './batch-channel.js'

interface Saved {
  /** The source's own checkpoint (where to read on). */
  readonly source: JsonValue
  /** Part files holding every row read before that point. */
  readonly parts: number
}

export interface ResumableExtractOptions {
  /** Close a part (and save the checkpoint) after this many rows... */
  readonly partRows?: number
  /** ...or after this long, whichever comes first. */
  readonly partMs?: number
}

const partName = (n: number) => `part-${String(n).padStart(5, '0')}.parquet`

/**
 * A staged extract from a source that saves page checkpoints (`Source.checkpoints`), resumable
 * without losing or repeating rows: rows stream into part files in the task's dataset folder, and
 * the task checkpoint (the source's state plus the number of parts) is saved only once the parts
 * holding every row read before that state are on disk. A retry or `sluice resume` keeps those
 * parts, removes any written after, and the source reads on from its saved state; at the end the
 * parts, in order, become the dataset.
 */
export async function resumableExtract(
  ctx: TaskContext,
  datasets: DatasetStore,
  source: Source,
  read: ReadContext,
  options: ResumableExtractOptions = {},
): Promise<DatasetInfo> {
  const partRows = options.partRows ?? 50_000
  const partMs = options.partMs ?? 5_000
  const saved = await ctx.checkpoint.load<Saved & { [key: string]: JsonValue }>('extract')
  let parts = saved?.parts ?? 0
  const dir = datasets.dir(ctx.runId, ctx.taskId)
  for (const f of await readdir(dir).catch(() => [] as string[])) {
    const m = /^part-(\d+)\.parquet$/.exec(f)
    if (m && Number(m[1]) >= parts) await rm(join(dir, f), { force: true })
  }
  if (saved) ctx.log(`resuming the extract from its checkpoint (${parts} part(s) kept)`)

  const checkpoint: NonNullable<ReadContext['checkpoint']> = {
    load: () => Promise.resolve(saved?.source),
    save: async (state) => {
      if (rowsInPart > 0 && rowsInPart < partRows && Date.now() - partStarted < partMs) return
      if (rowsInPart > 0) await closePart()
      await ctx.checkpoint.save('extract', { source: state, parts })
    },
  }
  const ctxRead: ReadContext = { ...read, checkpoint }
  const schema = await source.schema(ctxRead)

  let channel = new BatchChannel()
  let writing = datasets.write(ctx.runId, ctx.taskId, channel, schema, partName(parts))
  let rowsInPart = 0
  let partStarted = Date.now()
  const closePart = async () => {
    channel.end()
    await writing
    parts++
    channel = new BatchChannel()
    writing = datasets.write(ctx.runId, ctx.taskId, channel, schema, partName(parts))
    rowsInPart = 0
    partStarted = Date.now()
  }
  try {
    for await (const batch of source.read(ctxRead)) {
      await Promise.race([channel.push(batch), writing])
      rowsInPart += batch.rows.length
      ctx.metric('rows_in', batch.rows.length)
    }
    channel.end()
    await writing
    parts++
  } catch (e) {
    channel.fail(e)
    await writing.catch(() => undefined)
    throw e
  }
  const files = Array.from({ length: parts }, (_, n) => quoteLiteral(join(dir, partName(n))))
  const info = await datasets.writeQuery(
    ctx.runId,
    ctx.taskId,
    `SELECT * FROM read_parquet([${files.join(', ')}], union_by_name = true)`,
  )
  for (let n = 0; n < parts; n++) await rm(join(dir, partName(n)), { force: true })
  return info
}
