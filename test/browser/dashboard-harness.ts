import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { startServe as startServeProcess, type ServeProcess } from '../helpers/start-serve.js'

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

export type Serve = ServeProcess

/** `sluice serve` for the dashboard tests: pipelines in `<cwd>/pipes`, a fast tick, the token. */
export function startServe(
  cwd: string,
  options: { readonly token?: string; readonly env?: Record<string, string> } = {},
): Promise<Serve> {
  return startServeProcess(cwd, {
    args: ['--tick', '200'],
    env: { ...options.env, SLUICE_API_TOKEN: options.token },
  })
}
