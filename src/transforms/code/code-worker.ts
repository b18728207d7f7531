import { isSluiceError } from '../../core/sluice-error.js'
import { applyTransform, type InputChunk } from './apply-transform.js'
import type { CodeWorkerMessage, CodeWorkerTask } from './code-worker-messages.js'
import type { TransformContext } from './code-transform-options.js'
import { loadTransformModule } from './load-transform-module.js'

const MAX_UNACKED = 2
/** Input chunks asked for before the first arrives. */
const PULL_AHEAD = 2

/**
 * The piscina worker: loads the transform module, then pulls input chunks over the task's port,
 * applies the function and sends output chunks back (protocol in code-worker-messages.ts).
 * Errors are sent as `error` messages carrying a SluiceError code; the task itself resolves.
 * The main thread closes the port (closing it here could drop the last messages).
 */
export default async function codeWorker(task: CodeWorkerTask): Promise<void> {
  const { port } = task
  const post = (m: CodeWorkerMessage): void => port.postMessage(m)
  const inbox: CodeWorkerMessage[] = []
  let wake: (() => void) | undefined
  let unacked = 0
  port.on('message', (m: CodeWorkerMessage) => {
    if (m.type === 'ack') unacked--
    else inbox.push(m)
    wake?.()
  })
  const until = async (ready: () => boolean): Promise<void> => {
    while (!ready()) await new Promise<void>((r) => (wake = r))
    wake = undefined
  }
  async function* input(): AsyncGenerator<InputChunk> {
    for (let i = 0; i < PULL_AHEAD; i++) post({ type: 'pull' })
    for (;;) {
      await until(() => inbox.length > 0)
      const m = inbox.shift() as CodeWorkerMessage
      if (m.type !== 'input') return
      post({ type: 'pull' }) // chunks ahead, so the main thread reads while we compute
      yield m
    }
  }
  const ctx: TransformContext = {
    ...task.ctx,
    log: (text) => post({ type: 'log', text: String(text) }),
  }
  try {
    const t = await loadTransformModule(task.module, task.exportName, task.mode)
    for await (const out of applyTransform(t, input(), ctx, task.maxRejects)) {
      if (out.rowCount === 0 && out.rejects.length === 0) continue
      post({ type: 'output', ...out })
      unacked++
      await until(() => unacked < MAX_UNACKED)
    }
    post({ type: 'done' })
  } catch (e) {
    post({
      type: 'error',
      code: isSluiceError(e) ? e.code : 'E_TRANSFORM_FAILED',
      message: e instanceof Error ? e.message : String(e),
      hint: isSluiceError(e) ? e.hint : undefined,
    })
  }
}
