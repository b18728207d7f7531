import { applyTransform, type InputChunk, type OutputChunk } from './apply-transform.js'
import type { CodeTransformOptions } from './code-transform-options.js'
import { resolveTransformFunction } from './resolve-transform-function.js'
import type { StopRace } from './stop-race.js'

/**
 * Runs `o.inline` functions in this thread and yields their output chunks. No isolation: a
 * synchronous endless loop cannot be stopped, only an awaiting one is abandoned at `race`.
 */
export async function* runInProcess(
  o: CodeTransformOptions,
  chunks: AsyncIterator<InputChunk>,
  maxRejects: number,
  race: StopRace,
): AsyncGenerator<OutputChunk> {
  const t = resolveTransformFunction(
    o.inline as Record<string, unknown>,
    `inline transform of task ${o.ctx.taskId}`,
    o.exportName,
    o.mode,
  )
  const ctx = { ...o.ctx, log: (text: string) => o.log(String(text)) }
  const gen = applyTransform(t, { [Symbol.asyncIterator]: () => chunks }, ctx, maxRejects)
  try {
    for (;;) {
      const r = await race(gen.next())
      if (r.done) return
      yield r.value
    }
  } finally {
    gen.return(undefined).catch(() => {}) // not awaited: a hung function must not hang us
  }
}
