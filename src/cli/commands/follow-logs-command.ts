import { setTimeout as sleep } from 'node:timers/promises'
import { SluiceError } from '../../core/sluice-error.js'
import { formatLogLine } from '../../observe/format-log-line.js'
import type { LogRecord } from '../../state/records.js'
import { withStore, type CliContext } from '../cli-context.js'

const TERMINAL = new Set(['SUCCESS', 'FAILED', 'CANCELLED'])

export interface FollowLogsOptions {
  /** One JSON object per line. */
  readonly json?: boolean
  /** Poll interval, ms. Default 250. */
  readonly pollMs?: number
}

/**
 * `sluice logs RUN [TASK] --follow`: prints the lines captured so far, then polls the store for
 * new ones (every 250 ms) until the run is terminal, prints what is left and returns (exit 0
 * whatever the run's outcome). On a TTY pino JSON lines are shown human formatted; `--json`
 * writes one JSON object per line (NDJSON, so it streams).
 */
export async function followLogsCommand(
  ctx: CliContext,
  runId: string,
  task: string | undefined,
  opts: FollowLogsOptions,
): Promise<void> {
  const pollMs = opts.pollMs ?? 250
  const { io } = ctx
  const print = (l: LogRecord) => {
    if (opts.json) return io.out(JSON.stringify(l))
    const text = io.isTty ? formatLogLine(l.text).replace(/\n$/, '') : l.text
    io.out(
      `${l.at.slice(11, 23)} ${l.taskId}#${l.attempt + 1} ${l.stream === 'stderr' ? '! ' : ''}${text}`,
    )
  }
  await withStore(ctx, async (store) => {
    if (!(await store.getRun(runId)))
      throw new SluiceError('E_STATE_NOT_FOUND', `no run ${runId}`, {
        hint: 'list runs with: sluice runs',
      })
    let lastId = -Infinity
    const flush = async () => {
      for (const l of await store.readLogs(runId, task, lastId)) {
        if (l.id <= lastId) continue
        lastId = l.id
        print(l)
      }
    }
    for (;;) {
      // read the state before the lines: lines written before the run ended are then all seen
      const state = (await store.getRun(runId))?.state
      await flush()
      if (state === undefined || TERMINAL.has(state)) return
      await sleep(pollMs)
    }
  })
}
