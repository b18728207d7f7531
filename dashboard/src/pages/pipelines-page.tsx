import { useState } from 'react'
import { api, type ApiPipelineSummary, type ApiRun } from '../api-client.js'
import { href } from '../route.js'
import { useApi } from '../use-api.js'
import { ErrorBox, Loading, Time } from '../widgets.js'
import { TriggerForm } from './trigger-form.js'

const RECENT = 20

/** Page 1: every loaded pipeline with its schedule, recent runs, success rate and actions. */
export function PipelinesPage() {
  const list = useApi(() => api.pipelines(), [])
  return (
    <main>
      <h1>Pipelines</h1>
      <ErrorBox error={list.error} />
      {list.data === undefined ? (
        <Loading what="pipelines" />
      ) : list.data.pipelines.length === 0 ? (
        <p>No pipeline is loaded. Put pipeline files in the folder `sluice serve --dir` watches.</p>
      ) : (
        <table className="table" aria-label="pipelines">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Schedule</th>
              <th scope="col">Next run</th>
              <th scope="col">Last {RECENT} runs</th>
              <th scope="col">Success</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.data.pipelines.map((p) => (
              <PipelineRow key={p.name} p={p} onChange={list.reload} />
            ))}
          </tbody>
        </table>
      )}
    </main>
  )
}

function PipelineRow({ p, onChange }: { p: ApiPipelineSummary; onChange: () => void }) {
  const runs = useApi(() => api.runs({ pipeline: p.name, limit: RECENT }), [p.name], {
    pollMs: 3000,
  })
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>()
  const [triggering, setTriggering] = useState(false)
  const finished = (runs.data?.runs ?? []).filter(
    (r) => r.state !== 'QUEUED' && r.state !== 'RUNNING',
  )
  const ok = finished.filter((r) => r.state === 'SUCCESS').length
  const act = async (f: () => Promise<unknown>) => {
    setBusy(true)
    setError(undefined)
    try {
      await f()
      onChange()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  return (
    <>
      <tr data-pipeline={p.name}>
        <td>
          <a href={href('pipelines', p.name)}>
            <strong>{p.name}</strong>
          </a>
          {p.description !== null && <div className="muted small">{p.description}</div>}
        </td>
        <td>
          {p.schedule === null ? (
            <span className="muted">manual</span>
          ) : (
            <>
              <code>{p.schedule.cron}</code>{' '}
              <span className="muted small">{p.schedule.timezone}</span>
              {p.schedule.paused && <span className="badge state-CANCELLED">paused</span>}
            </>
          )}
        </td>
        <td>
          {p.schedule?.nextRunAt ? (
            <Time iso={p.schedule.nextRunAt} />
          ) : (
            <span className="muted">—</span>
          )}
        </td>
        <td>
          <RunDots runs={runs.data?.runs ?? []} />
        </td>
        <td>{finished.length === 0 ? '—' : `${Math.round((100 * ok) / finished.length)}%`}</td>
        <td className="actions">
          <button type="button" onClick={() => setTriggering((t) => !t)} aria-expanded={triggering}>
            Trigger…
          </button>
          {p.schedule !== null &&
            (p.schedule.paused ? (
              <button
                type="button"
                disabled={busy}
                onClick={() => void act(() => api.unpause(p.name))}
              >
                Resume schedule
              </button>
            ) : (
              <button
                type="button"
                disabled={busy}
                onClick={() => void act(() => api.pause(p.name, 'paused from the dashboard'))}
              >
                Pause
              </button>
            ))}
        </td>
      </tr>
      {(triggering || error !== undefined) && (
        <tr className="subrow">
          <td colSpan={6}>
            <ErrorBox error={error} />
            {triggering && <TriggerForm pipeline={p.name} onDone={() => setTriggering(false)} />}
          </td>
        </tr>
      )}
    </>
  )
}

/** Newest run last, one coloured dot each; a dot links to its run. */
export function RunDots({ runs }: { runs: readonly ApiRun[] }) {
  if (runs.length === 0) return <span className="muted">no runs</span>
  return (
    <span className="dots">
      {[...runs].reverse().map((r) => (
        <a
          key={r.id}
          href={href('runs', r.id)}
          className={`dot state-${r.state}`}
          title={`${r.id}: ${r.state}`}
          aria-label={`run ${r.id} ${r.state}`}
        />
      ))}
    </span>
  )
}
