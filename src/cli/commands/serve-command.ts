import { SluiceError } from '../../core/sluice-error.js'
import type { CliContext } from '../cli-context.js'
import { startService } from '../serve/serve-service.js'

export interface ServeCommandOptions {
  readonly dir?: string
  readonly host?: string
  readonly port?: number
  readonly token?: string
  readonly tick?: number
  readonly alerts?: string
}

/**
 * `sluice serve [--dir pipelines] [--host 127.0.0.1] [--port 8080] [--token T]`: schedules and
 * runs the pipelines of a folder and serves the HTTP API until SIGINT or SIGTERM, then stops
 * scheduling, stops accepting requests, cancels running runs (recorded CANCELLED) and exits 0.
 */
export async function serveCommand(ctx: CliContext, opts: ServeCommandOptions): Promise<void> {
  const { io } = ctx
  const token = opts.token ?? io.env.SLUICE_API_TOKEN
  const port = opts.port ?? 8080
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new SluiceError('E_USAGE', `--port ${String(opts.port)} is not a port number`)
  if (opts.tick !== undefined && (!Number.isInteger(opts.tick) || opts.tick < 10))
    throw new SluiceError('E_USAGE', `--tick ${String(opts.tick)} is not a number of ms ≥ 10`)
  const service = await startService({
    dir: opts.dir ?? 'pipelines',
    workspace: ctx.workspace(),
    host: opts.host ?? '127.0.0.1',
    port,
    ...(token !== undefined && token !== '' && { token }),
    env: io.env,
    log: (text) => io.err(`${new Date().toISOString().slice(11, 23)} ${text}`),
    ...(opts.tick !== undefined && { tickMs: opts.tick }),
    ...(opts.alerts !== undefined && { alerts: opts.alerts }),
    version: '0.1.0',
  })
  io.out(`sluice serve listening on ${service.url}`)
  await new Promise<void>((done) => {
    let stopping = false
    const stop = (signal: string): void => {
      if (stopping) return
      stopping = true
      io.err(`${signal}: stopping (runs in progress are cancelled)`)
      service.stop().then(done, (e: unknown) => {
        io.err(`shutdown error: ${e instanceof Error ? e.message : String(e)}`)
        done()
      })
    }
    process.once('SIGINT', () => stop('SIGINT'))
    process.once('SIGTERM', () => stop('SIGTERM'))
  })
  io.err('stopped')
}
