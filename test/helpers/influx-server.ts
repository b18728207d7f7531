import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A throwaway InfluxDB 1.x server: its base URL, HTTP port, and `stop()`. */
export interface InfluxServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string
  readonly port: number
  /** Kills the server and removes its data directory. */
  stop(): Promise<void>
}

export const INFLUXD = process.env.SLUICE_TEST_INFLUXD ?? '/usr/bin/influxd'

/** A TCP port that is free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

/**
 * Starts `influxd run -config <tmp conf>` with its meta, data and WAL in a fresh temp directory,
 * HTTP on a free 127.0.0.1 port, the RPC bind address on another free port, reporting, the
 * monitor store and every other listener off, and waits until `/ping` answers 204 (30 s at most).
 * Throws (never skips) when influxd is not installed: tests that use it must fail then.
 */
export async function startInflux(): Promise<InfluxServer> {
  if (!existsSync(INFLUXD))
    throw new Error(
      `influxd is not installed at ${INFLUXD}; install InfluxDB 1.x (apt-get install influxdb) or set SLUICE_TEST_INFLUXD`,
    )
  const dir = await mkdtemp(join(tmpdir(), 'sluice-influx-'))
  const port = await freePort()
  const rpcPort = await freePort()
  const conf = [
    'reporting-disabled = true',
    `bind-address = "127.0.0.1:${rpcPort}"`,
    '[meta]',
    `  dir = "${join(dir, 'meta')}"`,
    '  logging-enabled = false',
    '[data]',
    `  dir = "${join(dir, 'data')}"`,
    `  wal-dir = "${join(dir, 'wal')}"`,
    '  query-log-enabled = false',
    '  wal-fsync-delay = "0s"',
    '[monitor]',
    '  store-enabled = false',
    '[subscriber]',
    '  enabled = false',
    '[continuous_queries]',
    '  enabled = false',
    '[http]',
    '  enabled = true',
    `  bind-address = "127.0.0.1:${port}"`,
    '  log-enabled = false',
    '  pprof-enabled = false',
    '  max-body-size = 0',
    '[logging]',
    '  level = "warn"',
    '',
  ].join('\n')
  const confPath = join(dir, 'influxdb.conf')
  await writeFile(confPath, conf)
  const child: ChildProcess = spawn(INFLUXD, ['run', '-config', confPath], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000)
  })
  let exited = false
  child.on('exit', () => {
    exited = true
  })
  const url = `http://127.0.0.1:${port}`
  const stop = async (): Promise<void> => {
    if (!exited) {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await gone
      clearTimeout(timer)
    }
    await rm(dir, { recursive: true, force: true })
  }
  const deadline = Date.now() + 30_000
  for (;;) {
    if (exited) {
      await stop()
      throw new Error(`influxd exited during startup: ${stderr}`)
    }
    try {
      const res = await fetch(`${url}/ping`)
      if (res.status === 204) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`influxd did not answer /ping within 30s: ${stderr}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return { url, port, stop }
}
