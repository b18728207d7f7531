import type { Context } from 'hono'
import { streamSSE } from 'hono/streaming'
import { isSluiceError } from '../core/sluice-error.js'
import { TERMINAL_RUN_STATES } from '../core/state/run-state.js'
import type { StateStore } from '../state/state-store.js'

/** Send a comment line this often so idle proxies keep the stream open. */
const KEEPALIVE_MS = 15_000

/**
 * A Server-Sent Events response that streams a run's log lines: one `log` event per line (`id` is
 * the log id, so a reconnect with `Last-Event-ID` resumes after it), polling the store every
 * `pollMs`, and a final `end` event with the run's state once the run is terminal (every line
 * written before it finished is delivered first). A failure ends the stream with an `error` event.
 */
export function followLogs(
  c: Context,
  store: StateStore,
  options: {
    readonly runId: string
    readonly task?: string
    readonly afterId: number
    readonly pollMs: number
  },
): Response {
  const { runId, task, pollMs } = options
  return streamSSE(
    c,
    async (stream) => {
      let last = options.afterId
      let sinceKeepalive = 0
      for (;;) {
        // read the state before the logs: lines written before the run ended are then in this read
        const run = await store.getRun(runId)
        const logs = await store.readLogs(runId, task, last)
        for (const l of logs) {
          if (l.id <= last) continue
          await stream.writeSSE({ id: String(l.id), event: 'log', data: JSON.stringify(l) })
          last = l.id
        }
        if (run === undefined || TERMINAL_RUN_STATES.has(run.state)) {
          await stream.writeSSE({
            event: 'end',
            data: JSON.stringify({ runId, state: run?.state ?? null }),
          })
          return
        }
        if (stream.aborted) return
        await stream.sleep(pollMs)
        sinceKeepalive += pollMs
        if (sinceKeepalive >= KEEPALIVE_MS) {
          sinceKeepalive = 0
          await stream.write(': keepalive\n\n')
        }
        if (stream.aborted) return
      }
    },
    async (e, stream) => {
      const code = isSluiceError(e) ? e.code : 'E_INTERNAL'
      const message = isSluiceError(e) ? e.message : 'the log stream failed; see the server log'
      await stream.writeSSE({ event: 'error', data: JSON.stringify({ code, message }) })
    },
  )
}
