const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
}
const SKIP = new Set([
  'level',
  'time',
  'msg',
  'pipeline',
  'run_id',
  'task',
  'attempt',
  'pid',
  'hostname',
])

/**
 * A pino JSON line as one human line for a TTY:
 * `12:00:01.123 INFO  orders_daily/clean#1 loaded rows=3` (time in UTC, then the context, the
 * message and the remaining fields as key=value). A line that is not JSON passes through.
 */
export function formatLogLine(line: string): string {
  let o: Record<string, unknown>
  try {
    o = JSON.parse(line) as Record<string, unknown>
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`
  }
  const time = typeof o.time === 'string' ? o.time.slice(11, 23) : ''
  const level = LEVELS[Number(o.level)] ?? String(o.level)
  let where = typeof o.pipeline === 'string' ? o.pipeline : ''
  if (typeof o.task === 'string') {
    where += `/${o.task}`
    if (typeof o.attempt === 'number') where += `#${o.attempt}`
  }
  const rest = Object.entries(o)
    .filter(([k, v]) => !SKIP.has(k) && v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
  return `${[time, level, where, typeof o.msg === 'string' ? o.msg : '', ...rest].filter(Boolean).join(' ')}\n`
}
