import type { CheckSpec } from '../../core/spec/check-schema.js'
import { SluiceError } from '../../core/sluice-error.js'
import { runChecks } from '../../transforms/checks/run-checks.js'
import type { DataPlane } from '../data-plane.js'
import type { Json, TaskContext } from '../task-context.js'

/**
 * Runs quality checks over a dataset (a DuckDB relation), stores every outcome with the attempt
 * (so quality can be charted over runs) and logs one line per check. A failing check of severity
 * `error` fails the task (E_CHECK_FAILED, not retried: the data would not change), which keeps
 * downstream loads from running; `warn` only logs. Returns outputs to merge into the task's.
 */
export async function runTaskChecks(
  ctx: TaskContext,
  plane: DataPlane,
  checks: readonly CheckSpec[],
  target: { readonly sql: string; readonly relations: Readonly<Record<string, string>> },
  what: string,
): Promise<{ [key: string]: Json }> {
  const results = await runChecks(await plane.engine(), checks, target)
  await ctx.recordChecks(results)
  for (const r of results)
    ctx.log(
      r.status === 'pass'
        ? `check ${r.name}: passed (${r.total} rows)`
        : `check ${r.name}: ${r.severity === 'error' ? 'FAILED' : 'warning'}: ${r.message}`,
      r.status === 'pass' ? 'info' : 'stderr',
    )
  const failed = results.filter((r) => r.status === 'fail' && r.severity === 'error')
  const warned = results.filter((r) => r.status === 'fail' && r.severity === 'warn')
  if (failed.length > 0)
    throw new SluiceError(
      'E_CHECK_FAILED',
      `${failed.length} of ${results.length} quality checks failed on ${what}: ${failed
        .map((r) => `${r.name}: ${r.message}`)
        .join('; ')}`,
      {
        retryable: false,
        task: ctx.taskId,
        hint: `failing rows: sluice checks ${ctx.runId} (set severity: warn to only report)`,
      },
    )
  return {
    checks: { passed: results.length - failed.length - warned.length, warned: warned.length },
  }
}
