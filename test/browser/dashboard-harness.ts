import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'

export const repoRoot = join(import.meta.dirname, '../..')
export const dashboardDir = join(repoRoot, 'dist/dashboard')

/** Builds the dashboard (vite) unless dist/dashboard/index.html exists. */
export function ensureDashboardBuilt(): void {
  if (existsSync(join(dashboardDir, 'index.html'))) return
  const r = spawnSync(
    process.execPath,
    [
      join(repoRoot, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'dashboard/vite.config.ts',
    ],
    { cwd: repoRoot, encoding: 'utf8' },
  )
  if (r.status !== 0) throw new Error(`vite build failed:\n${r.stdout}\n${r.stderr}`)
}

/** Debian's Chromium, headless, with a fresh profile and nothing that phones home. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/**
 * Launches /usr/bin/chromium. Playwright gives every `launch()` a new empty `--user-data-dir`
 * (it refuses the flag in `args`), so each run starts from a clean profile.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS })
}

export interface Serve {
  readonly url: string
  readonly child: ChildProcess
  output(): string
  stop(): Promise<void>
}

/** `sluice serve --dir <dir>/pipes --port 0` as a child process in `cwd`; resolves once listening. */
export async function startServe(
  cwd: string,
  options: { readonly token?: string; readonly env?: Record<string, string> } = {},
): Promise<Serve> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...options.env }
  delete env.SLUICE_API_TOKEN
  if (options.token !== undefined) env.SLUICE_API_TOKEN = options.token
  const child = spawn(
    process.execPath,
    [
      join(repoRoot, 'bin/sluice.js'),
      'serve',
      '--dir',
      'pipes',
      '--port',
      '0',
      '--workspace',
      'ws',
      '--tick',
      '200',
    ],
    { cwd, env, stdio: 'pipe' },
  )
  let out = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (out += d.toString()))
  const started = Date.now()
  while (!/listening on (http:\S+)/.test(out)) {
    if (Date.now() - started > 30_000 || child.exitCode !== null)
      throw new Error(`sluice serve did not start:\n${out}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  const url = /listening on (http:\S+)/.exec(out)![1]!
  return {
    url,
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode !== null) return
      const exited = new Promise<void>((r) => child.once('exit', () => r()))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(timer)
    },
  }
}
