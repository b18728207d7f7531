import { useState } from 'react'
import { api, type ApiJson, type ApiLogLine, type ApiRunDetail } from '../api-client.js'
import { DagGraph } from '../dag-graph.js'
import { TERMINAL, count, duration, runDurationMs } from '../format.js'
import { Gantt } from '../gantt.js'
import { href } from '../route.js'
import { useApi } from '../use-api.js'
import { useRunStream } from '../use-run-stream.js'
import { ErrorBox, JsonBlock, Loading, Section, StateBadge, Time } from '../widgets.js'

/** The log line an error points to: the last line of the task's attempt mentioning it, or its last stderr line. */
export function errorLine(
  logs: readonly ApiLogLine[],
  task: string,
  attempt: number,
  error: { code: string; message: string },
): ApiLogLine | undefined {
  const mine = logs.filter((l) => l.taskId === task && l.attempt === attempt)
  const key = error.message.slice(0, 60)
  return (
    [...mine]
      .reverse()
      .find((l) => l.text.includes(error.code) || (key !== '' && l.text.includes(key))) ??
    [...mine].reverse().find((l) => l.stream === 'stderr') ??
    mine[mine.length - 1]
  )
}

/** Run detail: graph, Gantt of attempts, tasks with rows and errors, cancel/resume, live over SSE. */
export function RunPage({ id }: { id: string }) {
  const run = useApi(() => api.run(id), [id], {
    pollMs: 1000,
    poll: (r) => r === undefined || !TERMINAL.has(r.state),
  })
  const active = run.data !== undefined && !TERMINAL.has(run.data.state)
  useRunStream(id, active, run.reload)
  const graph = useApi(
    () => (run.data ? api.pipeline(run.data.pipeline) : Promise.resolve(undefined)),
    [run.data?.pipeline],
  )
  const logs = useApi(() => api.logs(id), [id, run.data?.state, run.data?.finishedAt])
  const events = useApi(() => api.events(id), [id, run.data?.state])
  const [busy, setBusy] = useState(false)
  const [actionError, setActionError] = useState<unknown>()
  const [notice, setNotice] = useState<string>()
  const [task, setTask] = useState<string>()

  if (run.error && !run.data) return <ErrorBox error={run.error} />
  if (!run.data) return <Loading what={`run ${id}`} />
  const r: ApiRunDetail = run.data

  const act = async (what: 'cancel' | 'resume') => {
    setBusy(true)
    setActionError(undefined)
    setNotice(undefined)
    try {
      if (what === 'cancel') {
        await api.cancel(id)
        setNotice('cancel requested')
      } else {
        const res = await api.resume(id)
        setNotice(`resumed: ${res.tasks.join(', ') || 'no task'} will run again`)
      }
      run.reload()
    } catch (e) {
      setActionError(e)
    } finally {
      setBusy(false)
    }
  }

  const states = new Map(r.tasks.map((t) => [t.taskId, t]))
  const nodes = (graph.data?.graph.nodes ?? r.tasks.map((t) => ({ id: t.taskId, type: '' }))).map(
    (n) => {
      const t = states.get(n.id)
      const last = t?.attempts[t.attempts.length - 1]
      return {
        id: n.id,
        label: n.id,
        sub:
          last?.rowsOut !== null && last?.rowsOut !== undefined
            ? `${count(last.rowsOut)} rows`
            : n.type,
        ...(t && { state: t.state }),
      }
    },
  )
  const allLogs = logs.data?.logs ?? []
  const selected = task !== undefined ? states.get(task) : undefined

  return (
    <main>
      <h1>
        <a href={href('runs')}>Runs</a> / <span className="mono">{r.id}</span>{' '}
        <StateBadge state={r.state} />
      </h1>
      <div className="summary">
        <span>
          pipeline <a href={href('pipelines', r.pipeline, { run: r.id })}>{r.pipeline}</a>
        </span>
        <span>trigger {r.trigger}</span>
        <span>
          created <Time iso={r.createdAt} />
        </span>
        <span>
          started <Time iso={r.startedAt} />
        </span>
        <span>
          finished <Time iso={r.finishedAt} />
        </span>
        <span>duration {duration(runDurationMs(r))}</span>
        {active && (
          <span className="live" aria-live="polite">
            ● live
          </span>
        )}
      </div>
      <div className="actions">
        <button
          type="button"
          disabled={busy || TERMINAL.has(r.state)}
          onClick={() => void act('cancel')}
        >
          Cancel run
        </button>
        <button
          type="button"
          className="primary"
          disabled={busy || (r.state !== 'FAILED' && r.state !== 'CANCELLED')}
          onClick={() => void act('resume')}
        >
          Resume run
        </button>
        <a href={href('runs', r.id, 'logs')}>Logs</a>
      </div>
      {notice !== undefined && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <ErrorBox error={actionError} title="action failed" />
      {r.error && (
        <div className="error-box run-error" role="alert">
          run failed: <code className="code">{r.error.code}</code>{' '}
          <span className="message">{r.error.message}</span>
        </div>
      )}
      {Object.keys(r.params).length > 0 && (
        <details>
          <summary>Params</summary>
          <JsonBlock value={r.params} />
        </details>
      )}
      <Section title="Graph">
        <DagGraph
          label={`graph of run ${r.id}`}
          nodes={nodes}
          edges={graph.data?.graph.edges ?? []}
          selected={task}
          onSelect={setTask}
        />
        {selected && (
          <div className="task-detail">
            <h3>
              {selected.taskId} <StateBadge state={selected.state} />
            </h3>
            <JsonBlock value={graph.data?.spec.tasks[selected.taskId]} />
          </div>
        )}
      </Section>
      <Section title="Attempts over time">
        <Gantt tasks={r.tasks} />
      </Section>
      <Section title="Tasks">
        <table className="table" aria-label="tasks">
          <thead>
            <tr>
              <th scope="col">Task</th>
              <th scope="col">State</th>
              <th scope="col">Attempts</th>
              <th scope="col">Rows in</th>
              <th scope="col">Rows out</th>
              <th scope="col">Duration</th>
              <th scope="col">Error</th>
            </tr>
          </thead>
          <tbody>
            {r.tasks.map((t) => {
              const last = t.attempts[t.attempts.length - 1]
              const failed = [...t.attempts].reverse().find((a) => a.error !== null)
              const line =
                failed?.error != null
                  ? errorLine(allLogs, t.taskId, failed.attempt, failed.error)
                  : undefined
              return (
                <tr key={t.taskId} data-task={t.taskId} data-state={t.state}>
                  <td>
                    <button type="button" className="link" onClick={() => setTask(t.taskId)}>
                      {t.taskId}
                    </button>
                  </td>
                  <td>
                    <StateBadge state={t.state} />
                  </td>
                  <td>{t.attempts.length}</td>
                  <td>{count(last?.rowsIn)}</td>
                  <td>
                    {count(last?.rowsOut)}
                    <Rejected outputs={last?.outputs} />
                  </td>
                  <td>{duration(last?.durationMs)}</td>
                  <td className="task-error">
                    {failed?.error && (
                      <>
                        <code className="code">{failed.error.code}</code> {failed.error.message}{' '}
                        <a
                          href={href('runs', r.id, 'logs', {
                            task: t.taskId,
                            line: line !== undefined ? String(line.id) : undefined,
                          })}
                        >
                          log line
                        </a>
                      </>
                    )}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </Section>
      <Section title="Events">
        <table className="table small">
          <thead>
            <tr>
              <th>At</th>
              <th>Type</th>
              <th>Actor</th>
              <th>Data</th>
            </tr>
          </thead>
          <tbody>
            {(events.data?.events ?? []).map((e) => (
              <tr key={e.id}>
                <td>
                  <Time iso={e.at} />
                </td>
                <td>{e.type}</td>
                <td>{e.actor}</td>
                <td className="mono small">{JSON.stringify(e.data)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </main>
  )
}

/** Rows a task quarantined (`rejected` in its outputs), with where they are kept. */
function Rejected({ outputs }: { outputs: ApiJson | undefined }) {
  if (
    outputs === null ||
    outputs === undefined ||
    typeof outputs !== 'object' ||
    Array.isArray(outputs)
  )
    return null
  const n = outputs.rejected
  if (typeof n !== 'number' || n === 0) return null
  const where = typeof outputs.rejects_dataset === 'string' ? outputs.rejects_dataset : ''
  return (
    <div className="small">
      <span className="badge state-RETRYING" title={`kept in ${where} (sluice rejects RUN TASK)`}>
        {count(n)} quarantined
      </span>
    </div>
  )
}
