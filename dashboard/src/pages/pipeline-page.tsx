import { useMemo, useState } from 'react'
import { api, type ApiPipelineVersion, type ApiRunDetail } from '../api-client.js'
import { DagGraph } from '../dag-graph.js'
import { TERMINAL, count, duration } from '../format.js'
import { lineDiff } from '../line-diff.js'
import { href, navigate } from '../route.js'
import { useApi } from '../use-api.js'
import { ErrorBox, JsonBlock, Loading, RunLink, Section, StateBadge, Time } from '../widgets.js'
import { RunDots } from './pipelines-page.js'
import { TriggerForm } from './trigger-form.js'

/** Page 2: one pipeline's graph with the task states of a run, task details, YAML versions. */
export function PipelinePage({ name, runParam }: { name: string; runParam: string | null }) {
  const detail = useApi(() => api.pipeline(name), [name])
  const runs = useApi(() => api.runs({ pipeline: name, limit: 20 }), [name], { pollMs: 3000 })
  const runId = runParam ?? runs.data?.runs[0]?.id
  const run = useApi(
    () => (runId === undefined ? Promise.resolve(undefined) : api.run(runId)),
    [runId],
    { pollMs: 1000, poll: (r) => r !== undefined && !TERMINAL.has(r.state) },
  )
  const [task, setTask] = useState<string>()
  const [triggering, setTriggering] = useState(false)

  if (detail.error) return <ErrorBox error={detail.error} />
  if (!detail.data) return <Loading what={`pipeline ${name}`} />
  const p = detail.data
  const states = new Map((run.data?.tasks ?? []).map((t) => [t.taskId, t.state]))
  const nodes = p.graph.nodes.map((n) => ({
    id: n.id,
    label: n.id,
    sub: n.type,
    ...(states.has(n.id) && { state: states.get(n.id) }),
  }))

  return (
    <main>
      <h1>
        <a href={href('pipelines')}>Pipelines</a> / {p.name}
      </h1>
      {p.description !== null && <p>{p.description}</p>}
      <p className="muted small">
        {p.file} · hash <code>{p.hash.slice(0, 12)}</code> ·{' '}
        {p.schedule ? (
          <>
            schedule <code>{p.schedule.cron}</code> ({p.schedule.timezone}), next{' '}
            <Time iso={p.schedule.nextRunAt} />
          </>
        ) : (
          'manual'
        )}
      </p>
      <Section
        title="Graph"
        actions={
          <>
            <label>
              Run{' '}
              <select
                value={runId ?? ''}
                onChange={(e) => navigate(href('pipelines', name, { run: e.target.value }))}
                aria-label="run shown in the graph"
              >
                {(runs.data?.runs ?? []).map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.id} — {r.state}
                  </option>
                ))}
              </select>
            </label>
            {runId !== undefined && <a href={href('runs', runId)}>run detail</a>}
            <button
              type="button"
              onClick={() => setTriggering((t) => !t)}
              aria-expanded={triggering}
            >
              Trigger…
            </button>
          </>
        }
      >
        {triggering && <TriggerForm pipeline={name} onDone={() => setTriggering(false)} />}
        <div className="muted small">
          recent runs: <RunDots runs={runs.data?.runs ?? []} />
          {run.data && (
            <>
              {' '}
              · showing <RunLink id={run.data.id} /> <StateBadge state={run.data.state} />
            </>
          )}
        </div>
        <DagGraph
          label={`graph of ${name}`}
          nodes={nodes}
          edges={p.graph.edges}
          selected={task}
          onSelect={setTask}
        />
      </Section>
      {task !== undefined && (
        <TaskPanel
          task={task}
          definition={p.spec.tasks[task]}
          run={run.data}
          onClose={() => setTask(undefined)}
        />
      )}
      <Versions name={name} />
    </main>
  )
}

function TaskPanel({
  task,
  definition,
  run,
  onClose,
}: {
  task: string
  definition: unknown
  run: ApiRunDetail | undefined
  onClose: () => void
}) {
  const t = run?.tasks.find((x) => x.taskId === task)
  const logs = useApi(
    () => (run === undefined || !t ? Promise.resolve({ logs: [] }) : api.logs(run.id, task)),
    [run?.id, task, t?.attempts.length, t?.state],
  )
  return (
    <Section
      title={`Task ${task}`}
      actions={
        <button type="button" onClick={onClose}>
          Close
        </button>
      }
    >
      <div className="two-col">
        <div>
          <h3>Definition</h3>
          <JsonBlock value={definition} />
        </div>
        <div>
          <h3>Attempts {run && <>in {run.id}</>}</h3>
          {!t ? (
            <p className="muted">not in this run</p>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th>#</th>
                  <th>State</th>
                  <th>Started</th>
                  <th>Duration</th>
                  <th>Rows out</th>
                  <th>Error</th>
                </tr>
              </thead>
              <tbody>
                {t.attempts.map((a) => (
                  <tr key={a.attempt}>
                    <td>{a.attempt}</td>
                    <td>
                      <StateBadge state={a.state} />
                    </td>
                    <td>
                      <Time iso={a.startedAt} />
                    </td>
                    <td>{duration(a.durationMs)}</td>
                    <td>{count(a.rowsOut)}</td>
                    <td>{a.error && <code>{a.error.code}</code>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h3>
            Logs{' '}
            {run && (
              <a className="small" href={href('runs', run.id, 'logs', { task })}>
                open log viewer
              </a>
            )}
          </h3>
          <pre className="logs small-logs">
            {(logs.data?.logs ?? [])
              .slice(-30)
              .map((l) => `${l.stream === 'log' ? '' : `[${l.stream}] `}${l.text}`)
              .join('\n') || '(no lines)'}
          </pre>
        </div>
      </div>
    </Section>
  )
}

function Versions({ name }: { name: string }) {
  const v = useApi(() => api.versions(name), [name])
  const [shown, setShown] = useState<string>()
  const [base, setBase] = useState<string>()
  const versions = v.data?.versions ?? []
  const label = (x: ApiPipelineVersion) =>
    `${x.version === null ? 'loaded (not run yet)' : `v${x.version}`} ${x.hash.slice(0, 10)}${x.current ? ' (current)' : ''}`
  const current = versions.find((x) => x.hash === shown) ?? versions[0]
  const other = versions.find((x) => x.hash === base)
  const diff = useMemo(
    () => (current && other ? lineDiff(other.source, current.source) : undefined),
    [current, other],
  )
  return (
    <Section title="Definition (YAML as loaded) and versions">
      <ErrorBox error={v.error} />
      {versions.length === 0 ? (
        <Loading what="versions" />
      ) : (
        <>
          <div className="filters">
            <label>
              Version{' '}
              <select value={current?.hash ?? ''} onChange={(e) => setShown(e.target.value)}>
                {versions.map((x) => (
                  <option key={x.hash} value={x.hash}>
                    {label(x)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Diff against{' '}
              <select value={base ?? ''} onChange={(e) => setBase(e.target.value || undefined)}>
                <option value="">(no diff)</option>
                {versions
                  .filter((x) => x.hash !== current?.hash)
                  .map((x) => (
                    <option key={x.hash} value={x.hash}>
                      {label(x)}
                    </option>
                  ))}
              </select>
            </label>
            {current && (
              <span className="muted small">
                {current.runs} run(s) · saved <Time iso={current.createdAt} />
              </span>
            )}
          </div>
          {diff ? (
            <pre className="yaml diff" aria-label="diff">
              {diff.map((d, i) => (
                <div key={i} className={`diff-${d.kind}`}>
                  {d.kind === 'add' ? '+ ' : d.kind === 'del' ? '- ' : '  '}
                  {d.text}
                </div>
              ))}
            </pre>
          ) : (
            <pre className="yaml">{current?.source}</pre>
          )}
        </>
      )}
    </Section>
  )
}
