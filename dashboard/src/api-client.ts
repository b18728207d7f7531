import type {
  ApiAlert,
  ApiReject,
  ApiBackfill,
  ApiCheckResult,
  ApiDataset,
  ApiDeadLetterPage,
  ApiErrorBody,
  ApiEvent,
  ApiGraph,
  ApiHealth,
  ApiJsonObject,
  ApiLineage,
  ApiLogLine,
  ApiPipelineDetail,
  ApiPipelineSummary,
  ApiPipelineVersion,
  ApiRunDetail,
  ApiRunPage,
  ApiSchedule,
} from '../../src/server/api-types.js'

export type * from '../../src/server/api-types.js'

const TOKEN_KEY = 'sluice.token'

/** An answer of the API that is not 2xx: its code, message and hint. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

type Listener = () => void
const authListeners = new Set<Listener>()

/** The bearer token the user entered (kept in this browser (localStorage) until "Forget token"). */
export function getToken(): string {
  return localStorage.getItem(TOKEN_KEY) ?? ''
}

export function setToken(token: string): void {
  if (token === '') localStorage.removeItem(TOKEN_KEY)
  else localStorage.setItem(TOKEN_KEY, token)
}

/** Called when the server answers 401: the UI then asks for the token. */
export function onAuthNeeded(listener: Listener): () => void {
  authListeners.add(listener)
  return () => authListeners.delete(listener)
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  const token = getToken()
  if (token !== '') headers.authorization = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  let res: Response
  try {
    res = await fetch(path, {
      method,
      headers,
      ...(body !== undefined && { body: JSON.stringify(body) }),
    })
  } catch (e) {
    throw new ApiError(0, 'E_NETWORK', `cannot reach the sluice server: ${String(e)}`)
  }
  const text = await res.text()
  let json: unknown
  try {
    json = text === '' ? undefined : JSON.parse(text)
  } catch {
    json = undefined
  }
  if (!res.ok) {
    const err = (json as Partial<ApiErrorBody> | undefined)?.error
    if (res.status === 401) for (const l of authListeners) l()
    throw new ApiError(
      res.status,
      err?.code ?? 'E_HTTP',
      err?.message ?? `${method} ${path} answered ${res.status}`,
      err?.hint,
    )
  }
  return json as T
}

function qs(query: Record<string, string | number | undefined>): string {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') p.set(k, String(v))
  const s = p.toString()
  return s === '' ? '' : `?${s}`
}

const enc = encodeURIComponent

export interface RunQuery {
  readonly pipeline?: string
  readonly state?: string
  readonly trigger?: string
  readonly since?: string
  readonly until?: string
  readonly limit?: number
  readonly cursor?: string
  readonly group?: string
}

/** The typed client of `/api/v1` (and the probes), one function per route the dashboard uses. */
export const api = {
  health: () => request<ApiHealth>('GET', '/healthz'),
  ready: () => request<{ status: string }>('GET', '/readyz'),
  info: () => request<{ name: string; version: string; api: string }>('GET', '/api/v1'),
  pipelines: () => request<{ pipelines: ApiPipelineSummary[] }>('GET', '/api/v1/pipelines'),
  pipeline: (name: string) => request<ApiPipelineDetail>('GET', `/api/v1/pipelines/${enc(name)}`),
  graph: (name: string, run?: string) =>
    request<ApiGraph>('GET', `/api/v1/pipelines/${enc(name)}/graph${qs({ run })}`),
  versions: (name: string) =>
    request<{ pipeline: string; versions: ApiPipelineVersion[] }>(
      'GET',
      `/api/v1/pipelines/${enc(name)}/versions`,
    ),
  trigger: (name: string, params: ApiJsonObject) =>
    request<{ runId: string; pipeline: string; deduplicated: boolean }>(
      'POST',
      `/api/v1/pipelines/${enc(name)}/runs`,
      { params },
    ),
  pause: (name: string, reason: string) =>
    request<ApiSchedule>('POST', `/api/v1/schedules/${enc(name)}/pause`, { reason }),
  unpause: (name: string) => request<ApiSchedule>('POST', `/api/v1/schedules/${enc(name)}/resume`),
  runs: (q: RunQuery) =>
    request<ApiRunPage>('GET', `/api/v1/runs${qs({ ...q, limit: q.limit ?? 50 })}`),
  run: (id: string) => request<ApiRunDetail>('GET', `/api/v1/runs/${enc(id)}`),
  events: (id: string) => request<{ events: ApiEvent[] }>('GET', `/api/v1/runs/${enc(id)}/events`),
  cancel: (id: string) =>
    request<{ runId: string; cancelRequested: boolean }>('POST', `/api/v1/runs/${enc(id)}/cancel`),
  resume: (id: string) =>
    request<{ runId: string; tasks: string[] }>('POST', `/api/v1/runs/${enc(id)}/resume`),
  logs: (id: string, task?: string) =>
    request<{ logs: ApiLogLine[] }>('GET', `/api/v1/runs/${enc(id)}/logs${qs({ task })}`),
  /** The URL of the SSE stream of a run's log lines (`log` events, then `end`). */
  logStreamUrl: (id: string, task?: string) =>
    `/api/v1/runs/${enc(id)}/logs${qs({ follow: 1, task })}`,
  checks: (q: { run?: string; pipeline?: string; task?: string; name?: string; limit?: number }) =>
    request<{ checks: ApiCheckResult[] }>('GET', `/api/v1/checks${qs(q)}`),
  schedules: () => request<{ schedules: ApiSchedule[] }>('GET', '/api/v1/schedules'),
  backfills: () => request<{ backfills: ApiBackfill[] }>('GET', '/api/v1/backfills'),
  alerts: () => request<{ configured: boolean; alerts: ApiAlert[] }>('GET', '/api/v1/alerts'),
  rejects: (runId: string, task: string, limit = 100) =>
    request<{ rejects: ApiReject[]; total: number }>(
      'GET',
      `/api/v1/runs/${enc(runId)}/tasks/${enc(task)}/rejects?limit=${limit}`,
    ),
  backfill: (
    name: string,
    body: { from: string; to: string; concurrency: number; params: ApiJsonObject },
  ) =>
    request<{ groupId: string; runs: string[] }>(
      'POST',
      `/api/v1/pipelines/${enc(name)}/backfills`,
      body,
    ),
  dlq: (q: { requeued?: 'true' | 'false'; limit?: number; offset?: number }) =>
    request<ApiDeadLetterPage>('GET', `/api/v1/dlq${qs(q)}`),
  requeue: (id: number) =>
    request<{ id: number; runId: string; tasks: string[] }>('POST', `/api/v1/dlq/${id}/requeue`),
  deleteDeadLetter: (id: number) => request<{ purged: number }>('DELETE', `/api/v1/dlq/${id}`),
  purgeDeadLetters: () => request<{ purged: number }>('POST', '/api/v1/dlq/purge', { all: true }),
  datasets: () => request<{ datasets: ApiDataset[] }>('GET', '/api/v1/datasets'),
  lineage: (dataset: string, direction: 'upstream' | 'downstream' | 'both' = 'both') =>
    request<ApiLineage>('GET', `/api/v1/lineage${qs({ dataset, direction })}`),
}
