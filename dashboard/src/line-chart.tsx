import { localTime } from './format.js'

export interface ChartPoint {
  readonly at: string
  readonly value: number
  readonly ok: boolean
  readonly label: string
}

/** A small SVG line chart of values over time; failing points are drawn red. */
export function LineChart({ points, label }: { points: readonly ChartPoint[]; label: string }) {
  const W = 420
  const H = 120
  const P = 24
  if (points.length === 0) return <p className="muted">no results yet</p>
  const ts = points.map((p) => Date.parse(p.at))
  const t0 = Math.min(...ts)
  const t1 = Math.max(t0 + 1, ...ts)
  const vmax = Math.max(1, ...points.map((p) => p.value))
  const x = (t: number) => P + ((t - t0) / (t1 - t0)) * (W - 2 * P)
  const y = (v: number) => H - P - (v / vmax) * (H - 2 * P)
  const xy = points.map((p, i) => [x(ts[i]!), y(p.value)] as const)
  return (
    <svg
      className="chart"
      width={W}
      height={H}
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={label}
    >
      <line x1={P} y1={H - P} x2={W - P} y2={H - P} className="axis-line" />
      <line x1={P} y1={P} x2={P} y2={H - P} className="axis-line" />
      <text x={2} y={P + 4} className="axis">
        {vmax}
      </text>
      <text x={2} y={H - P + 4} className="axis">
        0
      </text>
      <polyline points={xy.map(([a, b]) => `${a},${b}`).join(' ')} className="line" />
      {points.map((p, i) => (
        <circle key={i} cx={xy[i]![0]} cy={xy[i]![1]} r={3.5} className={p.ok ? 'pt ok' : 'pt bad'}>
          <title>{`${localTime(p.at)}: ${p.label}`}</title>
        </circle>
      ))}
      <text x={P} y={H - 6} className="axis">
        {localTime(new Date(t0).toISOString())}
      </text>
      <text x={W - P} y={H - 6} className="axis" textAnchor="end">
        {localTime(new Date(t1).toISOString())}
      </text>
    </svg>
  )
}
