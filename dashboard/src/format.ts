/** A local date-time like `2026-01-05 14:03:07` in the viewer's time zone. */
export function localTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
}

/** `UTC 2026-01-05T13:03:07.000Z`, the hover text of every time. */
export function utcTitle(iso: string): string {
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : `UTC ${d.toISOString()}`
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—'
  if (ms < 1000) return `${Math.round(ms)} ms`
  const s = ms / 1000
  if (s < 60) return `${s.toFixed(1)} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`
  return `${Math.floor(m / 60)} h ${m % 60} min`
}

export function runDurationMs(r: {
  startedAt: string | null
  finishedAt: string | null
}): number | null {
  if (r.startedAt === null) return null
  const end = r.finishedAt === null ? Date.now() : Date.parse(r.finishedAt)
  return end - Date.parse(r.startedAt)
}

export function count(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : n.toLocaleString()
}

export const TERMINAL = new Set(['SUCCESS', 'FAILED', 'CANCELLED'])

/** The viewer's time zone name, shown in the header. */
export function viewerZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone
}
