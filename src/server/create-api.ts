import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { SecretMask } from '../core/secret-mask.js'
import { isSluiceError, SluiceError } from '../core/sluice-error.js'
import type { StateStore } from '../state/state-store.js'
import { bearerAuth } from './bearer-auth.js'
import { errorStatus } from './error-status.js'
import { registerDlqRoutes } from './routes/dlq-routes.js'
import { registerInsightRoutes } from './routes/insight-routes.js'
import { registerPipelineRoutes } from './routes/pipeline-routes.js'
import { registerRunRoutes } from './routes/run-routes.js'
import { registerScheduleRoutes } from './routes/schedule-routes.js'
import { registerDashboardRoutes } from './routes/dashboard-routes.js'
import { serveDashboard } from './serve-dashboard.js'
import type { ServiceControl } from './service-control.js'

export interface ApiOptions {
  readonly store: StateStore
  readonly control: ServiceControl
  /** With a token, mutating calls need `Authorization: Bearer <token>`. */
  readonly token?: string
  /** Reads need the token too (all but /healthz and /readyz). Default false: reads are open. */
  readonly readToken?: boolean
  /** sluice's version, shown by /healthz and /api/v1. */
  readonly version: string
  /** Log-follow poll interval in ms; default 250. */
  readonly pollMs?: number
  /** Largest accepted request body; default 1 MiB. */
  readonly maxBodyBytes?: number
  /** Called with every unexpected (non-SluiceError) throw; default: one line on stderr. */
  readonly onUnexpectedError?: (error: unknown, where: string) => void
  /** Folder of the built dashboard served at `/`; default `<package root>/dist/dashboard`; false: none. */
  readonly dashboard?: string | false
}

/**
 * The HTTP API of `sluice serve` (docs/api.md): JSON routes under /api/v1 for pipelines, runs,
 * logs (SSE follow), schedules, backfills, dead letters, quality results and lineage, plus
 * /healthz, /readyz (checks the state store) and /metrics. Reads come from the state store;
 * everything that changes the service goes through `control`, which only queues work. Every
 * error is `{ error: { code, message, hint? } }` with the status from `errorStatus`; an unexpected
 * throw is a 500 E_INTERNAL without details.
 */
export function createApi(options: ApiOptions): Hono {
  const { store, control, version } = options
  const deps = { store, control, pollMs: options.pollMs ?? 250 }
  const onUnexpected =
    options.onUnexpectedError ??
    ((e: unknown, where: string) => {
      process.stderr.write(`sluice api: unexpected error in ${where}: ${String(e)}\n`)
    })
  const app = new Hono()

  app.onError((err, c) => errorResponse(c, err, onUnexpected))
  app.notFound((c) =>
    errorResponse(
      c,
      new SluiceError('E_ROUTE_UNKNOWN', `no route ${c.req.method} ${c.req.path}`, {
        hint: 'see docs/api.md for the routes',
      }),
      onUnexpected,
    ),
  )
  app.use(
    '*',
    bearerAuth({ token: options.token, readToken: options.readToken ?? false }),
    bodyLimit({
      maxSize: options.maxBodyBytes ?? 1024 * 1024,
      onError: (c) =>
        errorResponse(
          c,
          new SluiceError(
            'E_BAD_REQUEST',
            `request body larger than ${options.maxBodyBytes ?? 1024 * 1024} bytes`,
          ),
          onUnexpected,
          413,
        ),
    }),
  )

  app.get('/healthz', (c) => c.json({ status: 'ok', version }))
  app.get('/readyz', async (c) => {
    try {
      await store.listRuns({ limit: 1 })
    } catch (e) {
      return errorResponse(
        c,
        new SluiceError('E_STATE_CONNECT', `the state store does not answer: ${messageOf(e)}`, {
          hint: 'check that the state database is reachable',
        }),
        onUnexpected,
      )
    }
    return c.json({ status: 'ready' })
  })
  app.get('/metrics', async (c) => {
    const m = await control.metrics()
    return c.body(m.body, 200, { 'content-type': m.contentType })
  })
  app.get('/api/v1', (c) => c.json({ name: 'sluice', version, api: 'v1' }))

  registerPipelineRoutes(app, deps)
  registerRunRoutes(app, deps)
  registerScheduleRoutes(app, deps)
  registerDlqRoutes(app, deps)
  registerInsightRoutes(app, deps)
  registerDashboardRoutes(app, deps)
  if (options.dashboard !== false) serveDashboard(app, options.dashboard)
  return app
}

function errorResponse(
  c: Context,
  err: unknown,
  onUnexpected: (error: unknown, where: string) => void,
  status?: number,
): Response {
  let code: string
  let message: string
  let hint: string | undefined
  if (isSluiceError(err)) {
    ;({ code, message, hint } = err)
    if (errorStatus(code) === 500) onUnexpected(err, `${c.req.method} ${c.req.path}`)
  } else if (err instanceof HTTPException && err.status < 500) {
    code = 'E_BAD_REQUEST'
    message = err.message || `bad request to ${c.req.method} ${c.req.path}`
    status = err.status
  } else {
    onUnexpected(err, `${c.req.method} ${c.req.path}`)
    code = 'E_INTERNAL'
    message = `internal error in ${c.req.method} ${c.req.path}; see the server log`
  }
  const s = (status ?? errorStatus(code)) as ContentfulStatusCode
  if (s === 401) c.header('www-authenticate', 'Bearer realm="sluice"')
  return c.json({ error: { code, message, ...(hint !== undefined && { hint }) } }, s)
}

/** The error's message with any URL password masked (a driver error may quote the URL). */
function messageOf(e: unknown): string {
  return new SecretMask().mask(e instanceof Error ? e.message : String(e))
}
