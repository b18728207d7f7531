import { useState, type FormEvent } from 'react'
import { api, type RunQuery } from '../api-client.js'
import { duration, runDurationMs } from '../format.js'
import { href, navigate } from '../route.js'
import { useApi } from '../use-api.js'
import { ErrorBox, Loading, RunLink, StateBadge, Time } from '../widgets.js'

const STATES = ['', 'QUEUED', 'RUNNING', 'SUCCESS', 'FAILED', 'CANCELLED']
const TRIGGERS = ['', 'manual', 'schedule', 'webhook', 'backfill', 'file', 'pipeline', 'event']
const PAGE = 50

/** `datetime-local` value (viewer's zone) → ISO UTC. */
function toIso(local: string): string | undefined {
  if (local === '') return undefined
  const d = new Date(local)
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString()
}

/** Page 3: runs, newest first, filtered by pipeline, state, trigger kind and time, paged by cursor. */
export function RunsPage({ query }: { query: URLSearchParams }) {
  const filter = {
    pipeline: query.get('pipeline') ?? '',
    state: query.get('state') ?? '',
    trigger: query.get('trigger') ?? '',
    since: query.get('since') ?? '',
    until: query.get('until') ?? '',
    group: query.get('group') ?? '',
  }
  const cursor = query.get('cursor') ?? undefined
  const pipelines = useApi(() => api.pipelines(), [])
  const q: RunQuery = {
    ...(filter.pipeline !== '' && { pipeline: filter.pipeline }),
    ...(filter.state !== '' && { state: filter.state }),
    ...(filter.trigger !== '' && { trigger: filter.trigger }),
    ...(toIso(filter.since) !== undefined && { since: toIso(filter.since) }),
    ...(toIso(filter.until) !== undefined && { until: toIso(filter.until) }),
    ...(filter.group !== '' && { group: filter.group }),
    ...(cursor !== undefined && { cursor }),
    limit: PAGE,
  }
  const page = useApi(() => api.runs(q), [q], { pollMs: 5000 })
  const [draft, setDraft] = useState(filter)
  const [history, setHistory] = useState<string[]>([])

  const apply = (e: FormEvent) => {
    e.preventDefault()
    setHistory([])
    navigate(href('runs', { ...draft }))
  }
  const go = (c: string | undefined) => navigate(href('runs', { ...filter, cursor: c }))

  return (
    <main>
      <h1>Runs{filter.group !== '' && <> of backfill {filter.group}</>}</h1>
      <form className="filters" onSubmit={apply} aria-label="run filters">
        <label>
          Pipeline{' '}
          <select
            aria-label="Pipeline"
            name="pipeline"
            value={draft.pipeline}
            onChange={(e) => setDraft({ ...draft, pipeline: e.target.value })}
          >
            <option value="">all</option>
            {(pipelines.data?.pipelines ?? []).map((p) => (
              <option key={p.name} value={p.name}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          State{' '}
          <select
            aria-label="State"
            name="state"
            value={draft.state}
            onChange={(e) => setDraft({ ...draft, state: e.target.value })}
          >
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s === '' ? 'all' : s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Trigger{' '}
          <select
            aria-label="Trigger"
            name="trigger"
            value={draft.trigger}
            onChange={(e) => setDraft({ ...draft, trigger: e.target.value })}
          >
            {TRIGGERS.map((s) => (
              <option key={s} value={s}>
                {s === '' ? 'all' : s}
              </option>
            ))}
          </select>
        </label>
        <label>
          From{' '}
          <input
            type="datetime-local"
            aria-label="From"
            name="since"
            value={draft.since}
            onChange={(e) => setDraft({ ...draft, since: e.target.value })}
          />
        </label>
        <label>
          To{' '}
          <input
            type="datetime-local"
            aria-label="To"
            name="until"
            value={draft.until}
            onChange={(e) => setDraft({ ...draft, until: e.target.value })}
          />
        </label>
        <button type="submit" className="primary">
          Filter
        </button>
      </form>
      <ErrorBox error={page.error} />
      {page.data === undefined ? (
        <Loading what="runs" />
      ) : (
        <>
          <table className="table" aria-label="runs" data-testid="runs-table">
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Pipeline</th>
                <th scope="col">State</th>
                <th scope="col">Trigger</th>
                <th scope="col">Created</th>
                <th scope="col">Duration</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {page.data.runs.length === 0 && (
                <tr>
                  <td colSpan={7} className="muted">
                    no runs match
                  </td>
                </tr>
              )}
              {page.data.runs.map((r) => (
                <tr key={r.id} data-run={r.id}>
                  <td>
                    <RunLink id={r.id} />
                  </td>
                  <td>
                    <a href={href('pipelines', r.pipeline)}>{r.pipeline}</a>
                  </td>
                  <td>
                    <StateBadge state={r.state} />
                  </td>
                  <td>{r.trigger}</td>
                  <td>
                    <Time iso={r.createdAt} />
                  </td>
                  <td>{duration(runDurationMs(r))}</td>
                  <td>{r.error && <code title={r.error.message}>{r.error.code}</code>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav className="pager" aria-label="pages">
            <button
              type="button"
              disabled={cursor === undefined}
              onClick={() => {
                const prev = history.slice(0, -1)
                setHistory(prev)
                go(history[history.length - 1] === '' ? undefined : history[history.length - 1])
              }}
            >
              ← Newer
            </button>
            <span className="muted">page {history.length + 1}</span>
            <button
              type="button"
              disabled={page.data.nextCursor === null}
              onClick={() => {
                setHistory([...history, cursor ?? ''])
                go(page.data?.nextCursor ?? undefined)
              }}
            >
              Older →
            </button>
          </nav>
        </>
      )}
    </main>
  )
}
