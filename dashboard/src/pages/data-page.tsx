import { useMemo, useState } from 'react'
import { api, type ApiCheckResult, type ApiDataset } from '../api-client.js'
import { DagGraph } from '../dag-graph.js'
import { count } from '../format.js'
import { LineChart } from '../line-chart.js'
import { href, navigate } from '../route.js'
import { useApi } from '../use-api.js'
import { ErrorBox, JsonBlock, Loading, RunLink, Section, Time } from '../widgets.js'

/** Page 5: datasets (schema, rows), lineage, quality check history and failing rows. */
export function DataPage({ query }: { query: URLSearchParams }) {
  const datasets = useApi(() => api.datasets(), [])
  const selectedId = query.get('dataset') ?? undefined
  const selected = datasets.data?.datasets.find((d) => d.id === selectedId)
  return (
    <main>
      <h1>Data</h1>
      <Section title="Datasets">
        <ErrorBox error={datasets.error} />
        {!datasets.data ? (
          <Loading what="datasets" />
        ) : datasets.data.datasets.length === 0 ? (
          <p className="muted">no datasets: the loaded pipelines read and write none</p>
        ) : (
          <table className="table" aria-label="datasets">
            <thead>
              <tr>
                <th scope="col">Dataset</th>
                <th scope="col">Namespace</th>
                <th scope="col">Produced by</th>
                <th scope="col">Rows (latest run)</th>
                <th scope="col">Columns</th>
                <th scope="col">Read by</th>
              </tr>
            </thead>
            <tbody>
              {datasets.data.datasets.map((d) => (
                <tr key={d.id} className={d.id === selectedId ? 'selected' : undefined}>
                  <td>
                    <a href={href('data', { dataset: d.id })} aria-current={d.id === selectedId}>
                      {d.name}
                    </a>
                  </td>
                  <td>{d.namespace}</td>
                  <td>{d.writtenBy.join(', ') || <span className="muted">external</span>}</td>
                  <td>{count(d.rows)}</td>
                  <td>{d.fields.length || '—'}</td>
                  <td>{d.readBy.join(', ') || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      {selected && <DatasetDetail d={selected} />}
      <Quarantine datasets={datasets.data?.datasets ?? []} />
      <Checks />
    </main>
  )
}

function DatasetDetail({ d }: { d: ApiDataset }) {
  const [direction, setDirection] = useState<'upstream' | 'downstream' | 'both'>('both')
  const lineage = useApi(() => api.lineage(d.id, direction), [d.id, direction])
  const nodes = (lineage.data?.nodes ?? []).map((n) => ({
    id: n.id,
    label: n.kind === 'task' ? `${n.pipeline ?? ''}.${n.name}` : n.name,
    sub: n.kind,
    kind: n.kind,
    ...((n.id === d.id || n.id === `dataset:${d.id}`) && { state: 'SELECTED' }),
  }))
  return (
    <Section title={`Dataset ${d.name}`}>
      <p className="muted small">
        id <code>{d.id}</code>
        {d.runId !== null && (
          <>
            {' '}
            · latest run <RunLink id={d.runId} />
          </>
        )}
      </p>
      <div>
        <div>
          <h3>Schema and column lineage</h3>
          {d.fields.length === 0 ? (
            <p className="muted">no schema recorded (the producing task has not run)</p>
          ) : (
            <table className="table" aria-label="schema">
              <thead>
                <tr>
                  <th>Column</th>
                  <th>Type</th>
                  <th>Null</th>
                  <th>Computed from</th>
                </tr>
              </thead>
              <tbody>
                {d.fields.map((f) => (
                  <tr key={f.name}>
                    <td className="mono">{f.name}</td>
                    <td>{f.type}</td>
                    <td>{f.nullable ? 'yes' : 'no'}</td>
                    <td className="small">
                      {f.inputs.map((i) => `${i.dataset}.${i.column}`).join(', ')}
                      {f.transformation !== null && (
                        <span className="muted"> ({f.transformation})</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <div>
          <h3>
            Lineage{' '}
            <select
              value={direction}
              onChange={(e) => setDirection(e.target.value as typeof direction)}
              aria-label="lineage direction"
            >
              <option value="both">upstream and downstream</option>
              <option value="upstream">upstream</option>
              <option value="downstream">downstream</option>
            </select>
          </h3>
          <ErrorBox error={lineage.error} />
          <DagGraph
            label={`lineage of ${d.name}`}
            nodes={nodes}
            edges={lineage.data?.edges ?? []}
            onSelect={(id) => {
              const n = lineage.data?.nodes.find((x) => x.id === id)
              if (n?.kind === 'dataset')
                navigate(href('data', { dataset: id.replace(/^dataset:/, '') }))
              else if (n?.pipeline !== undefined) navigate(href('pipelines', n.pipeline))
            }}
          />
        </div>
      </div>
    </Section>
  )
}

function Checks() {
  const checks = useApi(() => api.checks({ limit: 1000 }), [])
  const groups = useMemo(() => {
    const m = new Map<string, ApiCheckResult[]>()
    for (const c of checks.data?.checks ?? []) {
      const k = `${c.pipeline} / ${c.taskId} / ${c.name}`
      const list = m.get(k) ?? []
      list.push(c)
      m.set(k, list)
    }
    for (const list of m.values()) list.sort((a, b) => (a.at < b.at ? -1 : 1))
    return [...m.entries()].sort(([a], [b]) => a.localeCompare(b))
  }, [checks.data])
  const failing = (checks.data?.checks ?? []).filter((c) => c.status === 'fail')
  return (
    <>
      <Section title="Quality checks over time">
        <ErrorBox error={checks.error} />
        {!checks.data ? (
          <Loading what="check results" />
        ) : groups.length === 0 ? (
          <p className="muted">no check results yet</p>
        ) : (
          <div className="charts">
            {groups.map(([k, list]) => {
              const last = list[list.length - 1]!
              return (
                <figure key={k} className="chart-card">
                  <figcaption>
                    <strong>{k}</strong> <span className="muted small">{last.type}</span>{' '}
                    <span
                      className={`badge ${last.status === 'pass' ? 'state-SUCCESS' : 'state-FAILED'}`}
                    >
                      {last.status}
                    </span>
                  </figcaption>
                  <LineChart
                    label={`failing rows of ${k}`}
                    points={list.map((c) => ({
                      at: c.at,
                      value: c.failing,
                      ok: c.status === 'pass',
                      label: `${c.failing} failing of ${c.total}: ${c.message}`,
                    }))}
                  />
                  <div className="muted small">failing rows per run</div>
                </figure>
              )
            })}
          </div>
        )}
      </Section>
      <Section title="Rows failing quality checks">
        {failing.length === 0 ? (
          <p className="muted">no failing rows recorded</p>
        ) : (
          <table className="table" aria-label="failing rows">
            <thead>
              <tr>
                <th>At</th>
                <th>Run</th>
                <th>Check</th>
                <th>Reason</th>
                <th>Rows</th>
              </tr>
            </thead>
            <tbody>
              {failing.slice(0, 100).map((c) => (
                <tr key={c.id}>
                  <td>
                    <Time iso={c.at} />
                  </td>
                  <td>
                    <RunLink id={c.runId} />
                  </td>
                  <td>
                    {c.pipeline}.{c.taskId}: {c.name}{' '}
                    <span className="muted small">({c.severity})</span>
                  </td>
                  <td>{c.message}</td>
                  <td>
                    {c.failing} of {c.total}
                    {c.sample.length > 0 && (
                      <details>
                        <summary>sample</summary>
                        <JsonBlock value={c.sample} />
                      </details>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </>
  )
}

/** The quarantined records of one task in one run, with where, why and the raw text. */
function RejectRows({ runId, task }: { runId: string; task: string }) {
  const [open, setOpen] = useState(false)
  const r = useApi(() => (open ? api.rejects(runId, task) : Promise.resolve(undefined)), [open])
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Show rows
      </button>
    )
  return (
    <>
      <ErrorBox error={r.error} />
      {!r.data ? (
        <Loading what="quarantined rows" />
      ) : (
        <table className="table small" aria-label={`quarantined rows of ${task}`}>
          <thead>
            <tr>
              <th>Where</th>
              <th>Reason</th>
              <th>Raw</th>
            </tr>
          </thead>
          <tbody>
            {r.data.rejects.map((x) => (
              <tr key={`${x.file}:${x.line}`}>
                <td className="mono">
                  {x.file}:{x.line}
                </td>
                <td>{x.reason}</td>
                <td className="mono">{x.raw.slice(0, 120)}</td>
              </tr>
            ))}
          </tbody>
          {r.data.total > r.data.rejects.length && (
            <caption className="muted">
              first {r.data.rejects.length} of {r.data.total}:{' '}
              <code>
                sluice rejects {runId} {task}
              </code>
            </caption>
          )}
        </table>
      )}
    </>
  )
}

/** Rows the latest runs set aside (`on_error: quarantine`), with their reasons on demand. */
function Quarantine({ datasets }: { datasets: readonly ApiDataset[] }) {
  const rows = datasets.flatMap((d) => d.rejects.map((r) => ({ d, r })))
  return (
    <Section title="Quarantined rows">
      {rows.length === 0 ? (
        <p className="muted">no rows quarantined in the latest runs</p>
      ) : (
        <table className="table" aria-label="quarantined rows">
          <thead>
            <tr>
              <th>Dataset</th>
              <th>Task</th>
              <th>Run</th>
              <th>Rows</th>
              <th>Kept in</th>
              <th>Reasons</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ d, r }) => (
              <tr key={`${d.id}/${r.task}`}>
                <td>{d.name}</td>
                <td>{r.task}</td>
                <td>{d.runId !== null && <RunLink id={d.runId} />}</td>
                <td>{count(r.rows)}</td>
                <td className="mono small">{r.path ?? '—'}</td>
                <td>
                  {d.runId !== null && (
                    <RejectRows runId={d.runId} task={r.task.slice(r.task.indexOf('.') + 1)} />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  )
}
