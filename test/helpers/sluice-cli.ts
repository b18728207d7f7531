import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'

export const repoRoot = join(import.meta.dirname, '../..')
const bin = join(repoRoot, 'bin/sluice.js')
const exec = promisify(execFile)

export interface CliResult {
  readonly code: number
  readonly out: string
  readonly err: string
}

/** Runs the sluice binary as a user would (in the repo root unless told); never throws on exit codes. */
export async function sluiceCli(
  args: readonly string[],
  options: { cwd?: string; workspace?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const argv = options.workspace ? ['--workspace', options.workspace, ...args] : [...args]
  try {
    const r = await exec(process.execPath, [bin, ...argv], {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
    })
    return { code: 0, out: r.stdout, err: r.stderr }
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string }
    return { code: x.code, out: x.stdout, err: x.stderr }
  }
}
