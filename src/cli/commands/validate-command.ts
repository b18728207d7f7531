import { readdir, stat } from 'node:fs/promises'
import { join, relative, resolve } from 'node:path'
import { hasErrors } from '../../core/validation-issue.js'
import { loadPipelineFile } from '../../definition/load-pipeline.js'
import { planLoaded } from '../../definition/plan-loaded.js'
import { CliExit, EXIT, type CliIo } from '../cli-io.js'
import { parseParamArgs } from '../parse-param-args.js'
import { maskIssues, printIssues } from '../print-issues.js'

export interface ValidateOptions {
  readonly param?: string[]
  readonly json?: boolean
  readonly strict?: boolean
}

/** `sluice validate FILE|DIR…`: every problem in every file, exit 1 if any error (or warning with --strict). */
export async function validateCommand(
  io: CliIo,
  paths: string[],
  opts: ValidateOptions,
): Promise<void> {
  const files = await expand(io.cwd, paths.length ? paths : ['.'])
  const params = parseParamArgs(opts.param ?? [])
  const results = []
  let failed = false
  for (const file of files) {
    const display = relative(io.cwd, file) || file
    const loaded = await loadPipelineFile(file, {
      env: io.env,
      params,
      envUnset: 'warning',
      displayName: display,
    })
    const bad = hasErrors(loaded.issues) || (opts.strict === true && loaded.issues.length > 0)
    failed ||= bad
    const summary = loaded.spec ? planLoaded(loaded) : undefined
    results.push({
      file: display,
      valid: !bad,
      pipeline: loaded.spec?.name,
      tasks: summary?.tasks.length,
      levels: summary?.levels.length,
      issues: maskIssues(loaded.issues, loaded.secrets),
    })
    if (!opts.json) {
      printIssues(io, loaded.issues, loaded.secrets)
      const errors = loaded.issues.filter((i) => i.severity === 'error').length
      const warnings = loaded.issues.length - errors
      const counts = [errors && `${errors} error(s)`, warnings && `${warnings} warning(s)`]
        .filter(Boolean)
        .join(', ')
      io.out(
        bad
          ? `✗ ${display}: ${counts}`
          : `✓ ${display}: pipeline ${loaded.spec?.name} is valid (${summary?.tasks.length} tasks, ${summary?.levels.length} levels${counts ? `; ${counts}` : ''})`,
      )
    }
  }
  if (opts.json) io.out(JSON.stringify(files.length === 1 ? results[0] : results, null, 2))
  if (failed) throw new CliExit(EXIT.failed)
}

/** Files as given; directories expand to the .yaml/.yml files directly inside them. */
async function expand(cwd: string, paths: string[]): Promise<string[]> {
  const out: string[] = []
  for (const p of paths) {
    const abs = resolve(cwd, p)
    const st = await stat(abs).catch(() => undefined)
    if (st?.isDirectory()) {
      const names = (await readdir(abs)).filter((n) => /\.ya?ml$/.test(n)).sort()
      out.push(...names.map((n) => join(abs, n)))
    } else out.push(abs)
  }
  return out
}
