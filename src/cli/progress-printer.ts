import type { RunEvents } from '../engine/run-events.js'
import type { CliIo } from './cli-io.js'
import { formatMs } from './format-table.js'

const SYMBOL: Record<string, string> = {
  PENDING: '·',
  QUEUED: '…',
  RUNNING: '▶',
  RETRYING: '⟳',
  SUCCESS: '✓',
  FAILED: '✗',
  SKIPPED: '↷',
  CANCELLED: '■',
}
const COLOR: Record<string, number> = {
  RUNNING: 36,
  RETRYING: 33,
  SUCCESS: 32,
  FAILED: 31,
  SKIPPED: 90,
  CANCELLED: 35,
}

/**
 * Shows a run as it goes: on a TTY a live table redrawn in place (state, attempt, elapsed, rows);
 * otherwise one plain line per state change (or one JSON object per event with `json`).
 */
export function attachProgress(
  io: CliIo,
  events: RunEvents,
  taskIds: readonly string[],
  mode: 'tty' | 'plain' | 'json',
): () => void {
  if (mode === 'json') {
    events.on('task:state', (e) => io.out(JSON.stringify({ event: 'task:state', ...e })))
    events.on('task:retry', (e) => io.out(JSON.stringify({ event: 'task:retry', ...e })))
    return () => {}
  }
  if (mode === 'plain') {
    events.on('run:start', (e) =>
      io.out(
        `${stamp(e.at)} run ${e.runId} ${e.resumed ? 'resumed' : 'started'}: ${e.pipeline}, ${e.tasks} task(s)`,
      ),
    )
    events.on('task:state', (e) => {
      if (e.to === 'QUEUED') return
      const why = e.error ? ` ${e.error.code}: ${e.error.message}` : ''
      io.out(
        `${stamp(e.at)} task ${e.taskId} ${e.to}${e.to === 'RUNNING' ? ` (attempt ${e.attempt + 1})` : ''}${why}`,
      )
    })
    events.on('task:retry', (e) =>
      io.out(`${stamp(e.at)} task ${e.taskId} retrying in ${formatMs(e.delayMs)}`),
    )
    return () => {}
  }
  const state = new Map(
    taskIds.map((id) => [id, { state: 'PENDING', attempt: 0, started: 0, ended: 0 }]),
  )
  const t0 = Date.now()
  const idWidth = Math.max(0, ...taskIds.map((id) => id.length))
  let drawn = 0
  const draw = () => {
    const now = Date.now()
    const counts: Record<string, number> = {}
    for (const s of state.values()) counts[s.state] = (counts[s.state] ?? 0) + 1
    const head =
      `${formatMs(now - t0).padStart(7)}  ` +
      Object.entries(counts)
        .map(([k, n]) => `${SYMBOL[k]} ${n} ${k.toLowerCase()}`)
        .join('  ')
    const rows = [...state]
      .slice(0, Math.max(5, (process.stdout.rows || 30) - 4))
      .map(([id, s]) => {
        const took = s.started ? formatMs((s.ended || now) - s.started) : ''
        const c = COLOR[s.state]
        const label = c
          ? `\u001b[${c}m${SYMBOL[s.state]} ${s.state.padEnd(9)}\u001b[0m`
          : `${SYMBOL[s.state]} ${s.state.padEnd(9)}`
        const name = `${id}${s.attempt > 0 ? ` (try ${s.attempt + 1})` : ''}`
        return `  ${label} ${name.padEnd(idWidth + 8)} ${took}`.trimEnd()
      })
    const text = [head, ...rows]
    io.out((drawn ? `\u001b[${drawn}A\u001b[0J` : '') + text.join('\n'))
    drawn = text.length
  }
  events.on('task:state', (e) => {
    const s = state.get(e.taskId)
    if (!s) return
    s.state = e.to
    s.attempt = e.attempt
    if (e.to === 'RUNNING') s.started = e.at
    if (e.to !== 'RUNNING' && e.to !== 'QUEUED') s.ended = e.at
  })
  const timer = setInterval(draw, 100)
  return () => {
    clearInterval(timer)
    draw()
  }
}

function stamp(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23)
}
