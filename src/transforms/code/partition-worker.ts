import { isSluiceError } from '../../core/sluice-error.js'
import type { TableSchema } from '../../data/column-type.js'
import { DuckDBEngine } from '../../data/duckdb/duckdb-engine.js'
import { quoteLiteral } from '../../data/duckdb/quote-literal.js'
import { streamColumns } from '../../data/duckdb/stream-columns.js'
import { applyTransform, type InputChunk } from './apply-transform.js'
import type { TransformContext } from './code-transform-options.js'
import {
  createOutputSchemaSettler,
  type OutputSchemaSettler,
} from './create-output-schema-settler.js'
import { createPartWriter, type PartWriter } from './create-part-writer.js'
import { inputChunks } from './input-chunks.js'
import { loadTransformModule } from './load-transform-module.js'
import type {
  PartitionCommand,
  PartitionMessage,
  PartitionWorkerTask,
} from './partition-messages.js'

/** Input rows `[lo, hi)` of a Parquet file, in file order (hi < 0: to the end). */
function rangeSql(path: string, lo: number, hi: number): string {
  if (lo === 0 && hi < 0) return `SELECT * FROM read_parquet(${quoteLiteral(path)})`
  const upper = hi < 0 ? '' : ` AND file_row_number < ${hi}`
  return `SELECT * EXCLUDE (file_row_number) FROM read_parquet(${quoteLiteral(path)}, file_row_number = true) WHERE file_row_number >= ${lo}${upper}`
}

/**
 * A partition worker (protocol in partition-messages.ts): loads the transform module, reads its
 * range of the input Parquet file with a DuckDB of its own (one thread), applies the function
 * (applyTransform, as the single worker does) and writes the output rows as Parquet part files
 * with that DuckDB. Errors are sent as `error` messages carrying a SluiceError code.
 */
export default async function partitionWorker(task: PartitionWorkerTask): Promise<void> {
  const { port } = task
  const post = (m: PartitionMessage): void => port.postMessage(m)
  const inbox: PartitionCommand[] = []
  let wake: (() => void) | undefined
  port.on('message', (m: PartitionCommand) => {
    inbox.push(m)
    wake?.()
  })
  const next = async <T extends PartitionCommand['type']>(
    type: T,
  ): Promise<Extract<PartitionCommand, { type: T }>> => {
    for (;;) {
      const m = inbox.shift()
      if (m !== undefined) {
        if (m.type === type) return m as Extract<PartitionCommand, { type: T }>
        continue
      }
      await new Promise<void>((r) => (wake = r))
      wake = undefined
    }
  }
  const ctx: TransformContext = {
    ...task.ctx,
    log: (text) => post({ type: 'log', text: String(text) }),
  }
  let engine: DuckDBEngine | undefined
  let writer: PartWriter | undefined
  try {
    const t = await loadTransformModule(task.module, task.exportName, task.mode)
    post({ type: 'loaded', mode: t.mode })
    const { lo, hi } = await next('range')
    engine = await DuckDBEngine.open({
      threads: 1,
      memoryLimit: task.duckdbMemory,
      workspaceDir: task.partDir,
    })
    const seen: { schema: TableSchema | undefined } = { schema: undefined }
    let rowsIn = 0
    let rowsOut = 0
    async function* input(): AsyncGenerator<InputChunk> {
      const sql = rangeSql(task.input, lo, hi)
      for await (const chunk of inputChunks(
        streamColumns(engine!, sql, task.batchRows),
        seen,
        lo + 1,
      )) {
        rowsIn += chunk.rowCount
        yield chunk
      }
    }
    const inputSchema = (): TableSchema | undefined => seen.schema
    let settler: OutputSchemaSettler | undefined =
      task.declared && createOutputSchemaSettler(task.declared, inputSchema, task.ctx.taskId)
    for await (const out of applyTransform(t, input(), ctx, task.maxRejects)) {
      if (out.rejects.length > 0) post({ type: 'rejects', rejects: out.rejects })
      if (out.rowCount > 0) {
        if (settler === undefined) {
          post({ type: 'sample', ...out, inputSchema: seen.schema })
          const { schema } = await next('schema')
          settler = createOutputSchemaSettler(undefined, inputSchema, task.ctx.taskId, schema)
        }
        const batch = settler.toBatch(out.columns, out.vectors, out.rowCount)
        writer ??= await createPartWriter(
          engine,
          batch.schema,
          task.partDir,
          task.prefix,
          task.partRows,
        )
        await writer.append(batch)
        rowsOut += out.rowCount
      }
      post({ type: 'progress', rowsIn, rowsOut })
      rowsIn = 0
      rowsOut = 0
    }
    const written = writer ? await writer.finish() : { parts: [], rowCount: 0 }
    writer = undefined
    post({ type: 'done', ...written })
  } catch (e) {
    post({
      type: 'error',
      code: isSluiceError(e) ? e.code : 'E_TRANSFORM_FAILED',
      message: e instanceof Error ? e.message : String(e),
      hint: isSluiceError(e) ? e.hint : undefined,
    })
  } finally {
    await engine?.close()
  }
}
