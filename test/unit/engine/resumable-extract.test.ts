import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TableSchema } from '../../../src/data/column-type.js'
import type { ReadContext, Source } from '../../../src/data/connector-contract.js'
import type { RowBatch } from '../../../src/data/row-batch.js'
import { DataPlane } from '../../../src/engine/data-plane.js'
import { resumableExtract } from '../../../src/engine/executors/resumable-extract.js'
import type { Json, TaskContext } from '../../../src/engine/task-context.js'

// A paged source: 10 pages of 5 rows; it saves { page } after handing on each page, starts at the
// saved page, and can be told to fail on one page (once).
const schema: TableSchema = { columns: [{ name: 'id', type: { kind: 'int64' }, nullable: false }] }
function pagedSource(failOn: { page: number } | undefined, asked: number[]): Source {
  return {
    checkpoints: true,
    schema: () => Promise.resolve(schema),
    async *read(ctx: ReadContext): AsyncIterable<RowBatch> {
      const saved = (await ctx.checkpoint?.load()) as { page: number } | undefined
      for (let page = saved?.page ?? 1; page <= 10; page++) {
        asked.push(page)
        if (failOn?.page === page) {
          failOn = undefined
          throw new Error(`page ${page} failed`)
        }
        yield {
          schema,
          rows: Array.from({ length: 5 }, (_, i) => [BigInt((page - 1) * 5 + i + 1)]),
        }
        await ctx.checkpoint?.save({ page: page + 1 })
      }
    },
    watermark: () => undefined,
    close: () => Promise.resolve(),
  }
}

let ws: string
let plane: DataPlane
beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'sluice-resumable-'))
  plane = new DataPlane(ws)
})
afterAll(async () => {
  await plane.close()
  await rm(ws, { recursive: true, force: true })
})

function taskContext(runId: string, checkpoints: Map<string, Json>, logs: string[]): TaskContext {
  return {
    runId,
    pipeline: 'p',
    taskId: 'pull',
    attempt: 1,
    task: { type: 'extract' } as TaskContext['task'],
    params: {},
    signal: new AbortController().signal,
    baseDir: ws,
    upstream: {},
    log: (t) => logs.push(t),
    checkpoint: {
      save: (key, value) => {
        checkpoints.set(key, value)
        return Promise.resolve()
      },
      load: <T extends Json>(key: string) => Promise.resolve(checkpoints.get(key) as T | undefined),
    },
    metric: () => undefined,
    recordChecks: () => Promise.resolve(),
  }
}

const read = (): ReadContext => ({
  signal: new AbortController().signal,
  batchRows: 100,
  log: () => undefined,
})

async function ids(runId: string): Promise<number[]> {
  const datasets = await plane.datasets()
  const out: number[] = []
  for await (const b of datasets.read(runId, 'pull')) for (const r of b.rows) out.push(Number(r[0]))
  return out
}

describe('resumableExtract', () => {
  it('a failure on page 7 keeps the parts of pages already checkpointed; the retry reads on from there, every row once and in order', async () => {
    const checkpoints = new Map<string, Json>()
    const logs: string[] = []
    const asked: number[] = []
    const datasets = await plane.datasets()
    const source = pagedSource({ page: 7 }, asked)
    const ctx = taskContext('r1', checkpoints, logs)
    // a part closes every 10 rows (2 pages), so the checkpoint moves every second page
    const opts = { partRows: 10, partMs: 60_000 }
    await expect(resumableExtract(ctx, datasets, source, read(), opts)).rejects.toThrow(
      'page 7 failed',
    )
    expect(checkpoints.get('extract')).toEqual({ source: { page: 7 }, parts: 3 })
    const info = await resumableExtract(ctx, datasets, source, read(), opts)
    expect(asked).toEqual([1, 2, 3, 4, 5, 6, 7, 7, 8, 9, 10])
    expect(info.rowCount).toBe(50)
    expect(await ids('r1')).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
    expect(logs).toContain('resuming the extract from its checkpoint (3 part(s) kept)')
    // the parts are gone; only the dataset is left
    expect(await readdir(datasets.dir('r1', 'pull'))).toEqual(['data.parquet'])
  })

  it('rows read after the last checkpoint are dropped and read again, never doubled', async () => {
    const checkpoints = new Map<string, Json>()
    const asked: number[] = []
    const datasets = await plane.datasets()
    const source = pagedSource({ page: 6 }, asked)
    const ctx = taskContext('r2', checkpoints, [])
    // parts close every 3 pages: page 4 and 5 were written to a part that never closed
    const opts = { partRows: 15, partMs: 60_000 }
    await expect(resumableExtract(ctx, datasets, source, read(), opts)).rejects.toThrow()
    expect(checkpoints.get('extract')).toEqual({ source: { page: 4 }, parts: 1 })
    await resumableExtract(ctx, datasets, source, read(), opts)
    expect(asked).toEqual([1, 2, 3, 4, 5, 6, 4, 5, 6, 7, 8, 9, 10])
    expect(await ids('r2')).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
  })

  it('without a failure it is one dataset of every row; a source that never checkpoints works too', async () => {
    const datasets = await plane.datasets()
    const info = await resumableExtract(
      taskContext('r3', new Map(), []),
      datasets,
      pagedSource(undefined, []),
      read(),
    )
    expect(info.rowCount).toBe(50)
    expect(await ids('r3')).toHaveLength(50)
  })
})
