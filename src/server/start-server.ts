import { createAdaptorServer } from '@hono/node-server'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Hono } from 'hono'
import { SluiceError } from '../core/sluice-error.js'
import { isLoopbackHost } from './is-loopback-host.js'

export interface ServerOptions {
  /** Default 127.0.0.1. Any other interface needs a token. */
  readonly host?: string
  /** 0 picks a free port. */
  readonly port: number
  /** The API token (`--token` or SLUICE_API_TOKEN); required for a non-loopback host. */
  readonly token?: string
}

export interface RunningServer {
  readonly host: string
  /** The bound port (the real one when 0 was asked for). */
  readonly port: number
  readonly url: string
  /**
   * Stops accepting connections and waits for open requests to finish; after `graceMs`
   * (default 10 s) the remaining ones (e.g. log follows) are cut.
   */
  close(options?: { readonly graceMs?: number }): Promise<void>
}

/**
 * Serves the API on `host:port` with @hono/node-server. Refuses (E_USAGE) to bind a non-loopback
 * address without a token, since anyone on the network could then trigger runs; a port already in
 * use or not permitted is an E_USAGE too. Resolves once listening.
 */
export async function startServer(app: Hono, options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1'
  if (!isLoopbackHost(host) && (options.token === undefined || options.token === '')) {
    throw new SluiceError(
      'E_USAGE',
      `refusing to serve on ${host} without a token: anyone who can reach it could trigger and cancel runs`,
      {
        hint: 'pass --token (or set SLUICE_API_TOKEN), or bind to 127.0.0.1 and put a proxy in front',
      },
    )
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new SluiceError('E_USAGE', `port must be an integer 0-65535, not ${options.port}`)
  }
  const server = createAdaptorServer({ fetch: app.fetch }) as Server
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off('listening', onListening)
      reject(
        new SluiceError(
          'E_USAGE',
          `cannot listen on ${host}:${options.port}: ${e.code ?? e.message}`,
          {
            hint:
              e.code === 'EADDRINUSE'
                ? 'another process uses that port; pick another with --port'
                : 'check the host and port',
            cause: e,
          },
        ),
      )
    }
    const onListening = () => {
      server.off('error', onError)
      resolve()
    }
    server.once('error', onError)
    server.once('listening', onListening)
    server.listen(options.port, host)
  })
  const port = (server.address() as AddressInfo).port
  const urlHost = host.includes(':') ? `[${host}]` : host
  let closing: Promise<void> | undefined
  return {
    host,
    port,
    url: `http://${urlHost}:${port}`,
    close({ graceMs = 10_000 } = {}) {
      closing ??= new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => server.closeAllConnections(), graceMs)
        timer.unref()
        server.close((e) => {
          clearTimeout(timer)
          if (e) reject(e)
          else resolve()
        })
        server.closeIdleConnections()
      })
      return closing
    },
  }
}
