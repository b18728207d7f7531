import { useEffect, useMemo, useRef, useState } from 'react'
import { api, type ApiLogLine } from '../api-client.js'
import { localTime, utcTitle } from '../format.js'
import { href } from '../route.js'
import { useApi } from '../use-api.js'
import { ErrorBox } from '../widgets.js'

type Level = 'error' | 'warn' | 'info' | 'debug'
const LEVELS: readonly Level[] = ['error', 'warn', 'info', 'debug']

/** A line's level: from a `level`/`ERROR`-like word in it, else stderr is a warning, else info. */
export function levelOf(l: ApiLogLine): Level {
  const m = /\b(error|err|fatal|warn|warning|info|debug|trace)\b/i.exec(l.text.slice(0, 80))
  const w = m?.[1]?.toLowerCase()
  if (w === 'error' || w === 'err' || w === 'fatal') return 'error'
  if (w === 'warn' || w === 'warning') return 'warn'
  if (w === 'debug' || w === 'trace') return 'debug'
  if (w === 'info') return 'info'
  return l.stream === 'stderr' ? 'warn' : 'info'
}

/** Page 4: a run's log lines, streamed while it runs (SSE), searchable, by task and level. */
export function LogsPage({ id, query }: { id: string; query: URLSearchParams }) {
  const run = useApi(() => api.run(id), [id])
  const [lines, setLines] = useState<ApiLogLine[]>([])
  const [streamState, setStreamState] = useState<'connecting' | 'live' | 'ended' | 'error'>(
    'connecting',
  )
  const [search, setSearch] = useState(query.get('q') ?? '')
  const [task, setTask] = useState(query.get('task') ?? '')
  const [levels, setLevels] = useState<ReadonlySet<Level>>(new Set(LEVELS))
  const target = query.get('line')
  const targetRef = useRef<HTMLDivElement>(null)

  useEffect(() => {
    setLines([])
    setStreamState('connecting')
    const es = new EventSource(api.logStreamUrl(id))
    const buffer: ApiLogLine[] = []
    let timer: ReturnType<typeof setTimeout> | undefined
    const flush = () => {
      timer = undefined
      const add = buffer.splice(0)
      if (add.length > 0) setLines((old) => [...old, ...add])
    }
    es.addEventListener('open', () => setStreamState('live'))
    es.addEventListener('log', (e) => {
      buffer.push(JSON.parse((e as MessageEvent<string>).data) as ApiLogLine)
      timer ??= setTimeout(flush, 100)
    })
    es.addEventListener('end', () => {
      flush()
      setStreamState('ended')
      es.close()
    })
    es.onerror = () => {
      flush()
      setStreamState((s) => (s === 'ended' ? s : 'error'))
      es.close()
    }
    return () => {
      es.close()
      if (timer !== undefined) clearTimeout(timer)
    }
  }, [id])

  const shown = useMemo(() => {
    const needle = search.toLowerCase()
    return lines.filter(
      (l) =>
        (task === '' || l.taskId === task) &&
        levels.has(levelOf(l)) &&
        (needle === '' || l.text.toLowerCase().includes(needle)),
    )
  }, [lines, task, levels, search])

  useEffect(() => {
    targetRef.current?.scrollIntoView({ block: 'center' })
  }, [target, shown.length])

  const tasks = run.data?.tasks.map((t) => t.taskId) ?? [...new Set(lines.map((l) => l.taskId))]
  const toggle = (lv: Level) => {
    const next = new Set(levels)
    if (next.has(lv)) next.delete(lv)
    else next.add(lv)
    setLevels(next)
  }

  return (
    <main>
      <h1>
        <a href={href('runs')}>Runs</a> /{' '}
        <a href={href('runs', id)} className="mono">
          {id}
        </a>{' '}
        / logs
      </h1>
      <ErrorBox error={run.error} />
      <div className="filters" role="search">
        <label>
          Search{' '}
          <input
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder="text in the line"
            aria-label="search log lines"
          />
        </label>
        <label>
          Task{' '}
          <select value={task} onChange={(e) => setTask(e.target.value)}>
            <option value="">all</option>
            {tasks.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="levels">
          <legend>Levels</legend>
          {LEVELS.map((lv) => (
            <label key={lv}>
              <input type="checkbox" checked={levels.has(lv)} onChange={() => toggle(lv)} /> {lv}
            </label>
          ))}
        </fieldset>
        <span className={`stream-state ${streamState}`} aria-live="polite">
          {streamState === 'live'
            ? '● streaming'
            : streamState === 'ended'
              ? 'run finished'
              : streamState}
        </span>
        <span className="muted small">
          {shown.length} of {lines.length} lines
        </span>
      </div>
      <div className="logs" role="log" aria-label="log lines">
        {shown.map((l) => {
          const lv = levelOf(l)
          const isTarget = target === String(l.id)
          return (
            <div
              key={l.id}
              id={`log-${l.id}`}
              ref={isTarget ? targetRef : undefined}
              className={`log-line level-${lv}${isTarget ? ' target' : ''}`}
              data-line={l.id}
            >
              <time dateTime={l.at} title={utcTitle(l.at)}>
                {localTime(l.at).slice(11)}
              </time>
              <span className="log-task">
                {l.taskId}
                {l.attempt > 0 ? `#${l.attempt}` : ''}
              </span>
              <span className={`log-level`}>{lv}</span>
              <span className="log-text">{l.text}</span>
            </div>
          )
        })}
        {shown.length === 0 && <div className="muted">(no lines)</div>}
      </div>
    </main>
  )
}
