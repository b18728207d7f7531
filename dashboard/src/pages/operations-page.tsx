import { useState } from 'react'
import { api, type ApiBackfill, type ApiDeadLetter } from '../api-client.js'
import { href } from '../route.js'
import { useApi } from '../use-api.js'
import { ErrorBox, JsonBlock, Loading, RunLink, Section, Time } from '../widgets.js'

/** Page 6: server health, dead letters, schedules, backfills. */
export function OperationsPage() {
  return (
    <main>
      <h1>Operations</h1>
      <Health />
      <DeadLetters />
      <Schedules />
      <Backfills />
      <Alerts />
    </main>
  )
}

function Health() {
  const health = useApi(() => api.health(), [], { pollMs: 10_000 })
  const ready = useApi(() => api.ready(), [], { pollMs: 10_000 })
  const active = useApi(() => api.runs({ state: 'RUNNING', limit: 100 }), [], { pollMs: 5000 })
  return (
    <Section title="Server health">
      <dl className="facts">
        <dt>Liveness</dt>
        <dd data-testid="healthz">
          {health.error ? <ErrorBox error={health.error} /> : (health.data?.status ?? '…')}
        </dd>
        <dt>Readiness (state store)</dt>
        <dd data-testid="readyz">
          {ready.error ? <ErrorBox error={ready.error} /> : (ready.data?.status ?? '…')}
        </dd>
        <dt>Version</dt>
        <dd>{health.data?.version ?? '…'}</dd>
        <dt>Running runs</dt>
        <dd>{active.data?.runs.length ?? '…'}</dd>
        <dt>Metrics</dt>
        <dd>
          <a href="/metrics">/metrics</a> (Prometheus)
        </dd>
      </dl>
    </Section>
  )
}

function DeadLetters() {
  const [showRequeued, setShowRequeued] = useState(false)
  const [offset, setOffset] = useState(0)
  const dlq = useApi(
    () => api.dlq({ ...(!showRequeued && { requeued: 'false' }), limit: 50, offset }),
    [showRequeued, offset],
    { pollMs: 5000 },
  )
  const [open, setOpen] = useState<number>()
  const [error, setError] = useState<unknown>()
  const [notice, setNotice] = useState<string>()
  const [busy, setBusy] = useState(false)
  const act = async (f: () => Promise<string>) => {
    setBusy(true)
    setError(undefined)
    setNotice(undefined)
    try {
      setNotice(await f())
      dlq.reload()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  const requeue = (d: ApiDeadLetter) =>
    act(async () => {
      const r = await api.requeue(d.id)
      return `dead letter ${d.id} requeued: run ${r.runId} resumes ${r.tasks.join(', ')}`
    })
  return (
    <Section
      title="Dead letters"
      actions={
        <>
          <label>
            <input
              type="checkbox"
              checked={showRequeued}
              onChange={(e) => {
                setOffset(0)
                setShowRequeued(e.target.checked)
              }}
            />{' '}
            show requeued
          </label>
          <button
            type="button"
            disabled={busy || (dlq.data?.total ?? 0) === 0}
            onClick={() => {
              if (window.confirm('Delete every dead letter?'))
                void act(async () => `${(await api.purgeDeadLetters()).purged} purged`)
            }}
          >
            Purge all
          </button>
        </>
      }
    >
      {notice !== undefined && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <ErrorBox error={error} title="action failed" />
      <ErrorBox error={dlq.error} />
      {!dlq.data ? (
        <Loading what="dead letters" />
      ) : dlq.data.deadLetters.length === 0 ? (
        <p className="muted" data-testid="dlq-empty">
          no dead letters
        </p>
      ) : (
        <table className="table" aria-label="dead letters">
          <thead>
            <tr>
              <th>#</th>
              <th>Run</th>
              <th>Task</th>
              <th>Attempt</th>
              <th>Error</th>
              <th>At</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {dlq.data.deadLetters.map((d) => (
              <DeadLetterRow
                key={d.id}
                d={d}
                open={open === d.id}
                busy={busy}
                onToggle={() => setOpen(open === d.id ? undefined : d.id)}
                onRequeue={() => void requeue(d)}
                onDelete={() =>
                  void act(async () => {
                    await api.deleteDeadLetter(d.id)
                    return `dead letter ${d.id} deleted`
                  })
                }
              />
            ))}
          </tbody>
        </table>
      )}
      {dlq.data && (dlq.data.nextOffset !== null || offset > 0) && (
        <nav className="pager" aria-label="dead letter pages">
          <button
            type="button"
            disabled={offset === 0}
            onClick={() => setOffset(Math.max(0, offset - 50))}
          >
            ← Previous
          </button>
          <span className="muted">
            {offset + 1}–{offset + dlq.data.deadLetters.length} of {dlq.data.total}
          </span>
          <button
            type="button"
            disabled={dlq.data.nextOffset === null}
            onClick={() => setOffset(dlq.data?.nextOffset ?? offset)}
          >
            Next →
          </button>
        </nav>
      )}
    </Section>
  )
}

function DeadLetterRow(props: {
  d: ApiDeadLetter
  open: boolean
  busy: boolean
  onToggle: () => void
  onRequeue: () => void
  onDelete: () => void
}) {
  const { d } = props
  return (
    <>
      <tr data-dead-letter={d.id}>
        <td>{d.id}</td>
        <td>
          <RunLink id={d.runId} />
        </td>
        <td>{d.taskId}</td>
        <td>{d.attempt}</td>
        <td>
          <code className="code">{d.error.code}</code> {d.error.message}
        </td>
        <td>
          <Time iso={d.createdAt} />
          {d.requeuedAt !== null && (
            <div className="small muted">
              requeued <Time iso={d.requeuedAt} />
            </div>
          )}
        </td>
        <td className="actions">
          <button type="button" onClick={props.onToggle} aria-expanded={props.open}>
            Inspect
          </button>
          <button
            type="button"
            className="primary"
            disabled={props.busy || d.requeuedAt !== null}
            onClick={props.onRequeue}
          >
            Requeue
          </button>
          <button type="button" disabled={props.busy} onClick={props.onDelete}>
            Delete
          </button>
        </td>
      </tr>
      {props.open && (
        <tr className="subrow">
          <td colSpan={7}>
            <strong>Inputs</strong>
            <JsonBlock value={d.inputs} />
            <a href={href('runs', d.runId, 'logs', { task: d.taskId })}>logs of {d.taskId}</a>
          </td>
        </tr>
      )}
    </>
  )
}

function Schedules() {
  const s = useApi(() => api.schedules(), [], { pollMs: 10_000 })
  const [error, setError] = useState<unknown>()
  const toggle = async (pipeline: string, paused: boolean) => {
    setError(undefined)
    try {
      if (paused) await api.unpause(pipeline)
      else await api.pause(pipeline, 'paused from the dashboard')
      s.reload()
    } catch (e) {
      setError(e)
    }
  }
  return (
    <Section title="Schedules">
      <ErrorBox error={error} title="action failed" />
      <ErrorBox error={s.error} />
      {!s.data ? (
        <Loading what="schedules" />
      ) : s.data.schedules.length === 0 ? (
        <p className="muted">no scheduled pipeline</p>
      ) : (
        <table className="table" aria-label="schedules">
          <thead>
            <tr>
              <th>Pipeline</th>
              <th>Cron</th>
              <th>Next run</th>
              <th>Last run</th>
              <th>Overlap</th>
              <th>State</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {s.data.schedules.map((x) => (
              <tr key={x.pipeline}>
                <td>
                  <a href={href('pipelines', x.pipeline)}>{x.pipeline}</a>
                </td>
                <td>
                  <code>{x.cron}</code> <span className="muted small">{x.timezone}</span>
                </td>
                <td>
                  <Time iso={x.nextRunAt} />
                </td>
                <td>
                  {x.lastRunId !== null ? (
                    <>
                      <RunLink id={x.lastRunId} /> <Time iso={x.lastRunAt} />
                    </>
                  ) : (
                    <Time iso={x.lastRunAt} />
                  )}
                </td>
                <td>{x.overlap}</td>
                <td>
                  {x.paused ? `paused${x.pausedReason ? `: ${x.pausedReason}` : ''}` : 'active'}
                </td>
                <td>
                  <button type="button" onClick={() => void toggle(x.pipeline, x.paused)}>
                    {x.paused ? 'Resume' : 'Pause'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  )
}

function Backfills() {
  const b = useApi(() => api.backfills(), [], { pollMs: 5000 })
  return (
    <Section title="Backfills">
      <ErrorBox error={b.error} />
      {!b.data ? (
        <Loading what="backfills" />
      ) : b.data.backfills.length === 0 ? (
        <p className="muted">no backfill since the server started</p>
      ) : (
        <table className="table" aria-label="backfills">
          <thead>
            <tr>
              <th>Group</th>
              <th>Pipeline</th>
              <th>Range</th>
              <th>Created</th>
              <th>Progress</th>
            </tr>
          </thead>
          <tbody>
            {b.data.backfills.map((g) => (
              <BackfillRow key={g.groupId} g={g} />
            ))}
          </tbody>
        </table>
      )}
    </Section>
  )
}

function BackfillRow({ g }: { g: ApiBackfill }) {
  const runs = useApi(() => api.runs({ group: g.groupId, limit: 500 }), [g.groupId], {
    pollMs: 3000,
  })
  const list = runs.data?.runs ?? []
  const done = list.filter((r) => r.state === 'SUCCESS').length
  const failed = list.filter((r) => r.state === 'FAILED' || r.state === 'CANCELLED').length
  const total = g.runs.length
  return (
    <tr>
      <td>
        <a href={href('runs', { group: g.groupId })} className="mono">
          {g.groupId}
        </a>
      </td>
      <td>{g.pipeline}</td>
      <td>
        {g.from} → {g.to}
      </td>
      <td>
        <Time iso={g.createdAt} />
      </td>
      <td>
        <progress max={total} value={done + failed} aria-label={`backfill ${g.groupId} progress`} />{' '}
        {done}/{total} done{failed > 0 && `, ${failed} failed`}
      </td>
    </tr>
  )
}

function Alerts() {
  const a = useApi(() => api.alerts(), [], { pollMs: 5000 })
  return (
    <Section title="Alerts sent">
      <ErrorBox error={a.error} />
      {!a.data ? (
        <Loading what="alerts" />
      ) : !a.data.configured ? (
        <p className="muted">
          No alerts file: start <code>sluice serve --alerts alerts.yaml</code> to send alerts.
        </p>
      ) : a.data.alerts.length === 0 ? (
        <p className="muted">no alert since the server started</p>
      ) : (
        <table className="table" aria-label="alerts">
          <thead>
            <tr>
              <th>When</th>
              <th>Severity</th>
              <th>Alert</th>
              <th>Pipeline</th>
              <th>Channel</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {a.data.alerts.map((x, i) => (
              <tr key={`${x.at}-${x.key}-${x.channel}-${i}`}>
                <td>
                  <Time iso={x.at} />
                </td>
                <td>{x.severity}</td>
                <td>
                  {x.title}
                  {x.runId !== null && (
                    <>
                      {' '}
                      <RunLink id={x.runId} />
                    </>
                  )}
                </td>
                <td>{x.pipeline}</td>
                <td>{x.channel}</td>
                <td title={x.error ?? undefined}>{x.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  )
}
