import type { ApiTask } from './api-client.js'
import { duration, localTime } from './format.js'

const ROW = 22
const LABEL = 170
const WIDTH = 900

/**
 * The attempts of a run's tasks on a time axis, one row per attempt (a retry is a second row of
 * the same task), coloured by the attempt's state; running attempts extend to now.
 */
export function Gantt({ tasks }: { tasks: readonly ApiTask[] }) {
  const rows = tasks.flatMap((t) =>
    t.attempts.map((a) => ({
      key: `${t.taskId}#${a.attempt}`,
      label: a.attempt === 0 ? t.taskId : `${t.taskId} (retry ${a.attempt})`,
      state: a.state,
      start: a.startedAt === null ? null : Date.parse(a.startedAt),
      end: a.finishedAt === null ? null : Date.parse(a.finishedAt),
      attempt: a.attempt,
    })),
  )
  const now = Date.now()
  const starts = rows.map((r) => r.start).filter((s): s is number => s !== null)
  if (starts.length === 0) return <p className="muted">no attempt has started yet</p>
  const t0 = Math.min(...starts)
  const t1 = Math.max(t0 + 1, ...rows.map((r) => r.end ?? (r.start !== null ? now : t0)))
  const span = t1 - t0
  const x = (t: number) => LABEL + ((t - t0) / span) * (WIDTH - LABEL - 10)
  const height = rows.length * ROW + 24
  return (
    <div className="graph-wrap">
      <svg
        className="gantt"
        width={WIDTH}
        height={height}
        viewBox={`0 0 ${WIDTH} ${height}`}
        role="img"
        aria-label="task attempts over time"
      >
        {rows.map((r, i) => {
          const y = i * ROW + 4
          const s = r.start
          const e = r.end ?? now
          return (
            <g key={r.key} data-attempt={r.key} data-state={r.state}>
              <text x={4} y={y + 14} className={`gantt-label${r.attempt > 0 ? ' retry' : ''}`}>
                {r.label}
              </text>
              {s !== null && (
                <rect
                  x={x(s)}
                  y={y + 3}
                  width={Math.max(2, x(e) - x(s))}
                  height={ROW - 8}
                  rx={3}
                  className={`bar state-${r.state}`}
                >
                  <title>{`${r.label}: ${r.state}, ${duration(e - s)} from ${localTime(new Date(s).toISOString())}`}</title>
                </rect>
              )}
            </g>
          )
        })}
        <text x={LABEL} y={height - 4} className="axis">
          {localTime(new Date(t0).toISOString())}
        </text>
        <text x={WIDTH - 10} y={height - 4} className="axis" textAnchor="end">
          +{duration(span)}
        </text>
      </svg>
    </div>
  )
}
