import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { repoRoot } from './sluice-cli.js'

export interface ServeOptions {
  /** The pipelines folder (`--dir`). Default `pipes`. */
  readonly dir?: string
  /** `--workspace`. Default `ws`. */
  readonly workspace?: string
  /** More arguments (`--tick 200`, `--alerts alerts.yaml`, …). */
  readonly args?: readonly string[]
  /** Over the test's environment; `undefined` removes a variable. */
  readonly env?: Readonly<Record<string, string | undefined>>
}

/** A `sluice serve` child process: its URL, its output so far, and a clean stop. */
export interface ServeProcess {
  readonly url: string
  readonly child: ChildProcess
  /** Everything it printed (stdout and stderr, in order). */
  output(): string
  /** SIGTERM (SIGKILL after 15 s); resolves with the exit code. */
  stop(): Promise<number | null>
}

/**
 * Starts `sluice serve --dir pipes --port 0 --workspace ws …` in `cwd` as a user would and
 * resolves once it listens (30 s at most; throws with its output otherwise).
 */
export async function startServe(cwd: string, options: ServeOptions = {}): Promise<ServeProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' }
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k]
    else env[k] = v
  }
  const child = spawn(
    process.execPath,
    [
      join(repoRoot, 'bin/sluice.js'),
      'serve',
      '--dir',
      options.dir ?? 'pipes',
      '--port',
      '0',
      '--workspace',
      options.workspace ?? 'ws',
      ...(options.args ?? []),
    ],
    { cwd, env, stdio: 'pipe' },
  )
  let out = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (out += d.toString()))
  const started = Date.now()
  while (!/listening on (http:\S+)/.test(out)) {
    if (Date.now() - started > 30_000 || child.exitCode !== null) {
      child.kill('SIGKILL')
      throw new Error(`sluice serve did not start:\n${out}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    url: /listening on (http:\S+)/.exec(out)![1]!,
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode !== null) return child.exitCode
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      const code = await exited
      clearTimeout(timer)
      return code
    },
  }
}
