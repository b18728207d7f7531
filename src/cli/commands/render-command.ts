import { join, resolve } from 'node:path'
import { SluiceError } from '../../core/sluice-error.js'
import { didYouMean } from '../../core/suggest.js'
import { producesDataset } from '../../core/tasks/produces-dataset.js'
import { quoteLiteral } from '../../data/duckdb/quote-literal.js'
import { dependsOn } from '../../definition/check-references.js'
import { wrapDuckdbSql } from '../../transforms/sql/wrap-duckdb-sql.js'
import type { CliContext } from '../cli-context.js'
import { loadForCli } from '../load-for-cli.js'
import { parseParamArgs } from '../parse-param-args.js'

export interface RenderCommandOptions {
  readonly param?: string[]
  readonly runId?: string
}

/**
 * `sluice render FILE TASK`: prints the SQL of a sql task as it would run, without running
 * anything: templates and `ref()` rendered, and for DuckDB the CTE wrapper that binds the
 * upstream datasets (their paths under the workspace for `--run-id`, else a `<run_id>`
 * placeholder); for `connection:` the script that runs inside the database.
 */
export async function renderCommand(
  ctx: CliContext,
  file: string,
  taskId: string,
  opts: RenderCommandOptions,
): Promise<void> {
  const { io } = ctx
  const loaded = await loadForCli(io, resolve(io.cwd, file), {
    params: parseParamArgs(opts.param ?? []),
    envUnset: 'warning',
    quietWarnings: true,
    ...(opts.runId !== undefined && { run: { runId: opts.runId } }),
  })
  const { spec } = loaded
  const task = Object.hasOwn(spec.tasks, taskId) ? spec.tasks[taskId] : undefined
  const sqlTasks = Object.keys(spec.tasks).filter((id) => spec.tasks[id]!.type === 'sql')
  if (task === undefined)
    throw new SluiceError('E_SELECT_INVALID', `pipeline ${spec.name} has no task "${taskId}"`, {
      hint:
        didYouMean(taskId, Object.keys(spec.tasks)) ??
        `sql tasks: ${sqlTasks.join(', ') || 'none'}`,
    })
  if (task.type !== 'sql')
    throw new SluiceError(
      'E_SELECT_INVALID',
      `task ${taskId} is a ${task.type} task; render prints the SQL of sql tasks`,
      { hint: `sql tasks: ${sqlTasks.join(', ') || 'none'}` },
    )
  const sqlTask = task
  const text = sqlTask.sql ?? ''
  let out: string
  if (sqlTask.connection !== undefined) {
    out = `-- task ${taskId}: runs inside connection ${sqlTask.connection}, all statements in one transaction\n${text.replace(/\s+$/, '')}\n`
  } else {
    const runId = opts.runId ?? '<run_id>'
    const root = join(ctx.workspace(), 'datasets', runId)
    const inputs = dependsOn(sqlTask)
      .filter((d) => spec.tasks[d] !== undefined && producesDataset(spec.tasks[d]))
      .map((id) => ({
        id,
        relation: `read_parquet(${quoteLiteral(join(root, id, 'data.parquet'))})`,
      }))
    const wrapped = wrapDuckdbSql(text, inputs)
    const over = inputs.length
      ? `over ${inputs.map((i) => i.id).join(', ')}`
      : 'with no upstream dataset'
    out = `-- task ${taskId}: DuckDB ${over}; its result becomes the dataset of ${taskId}\n${wrapped.sql}`
  }
  io.out(loaded.secrets.mask(out).replace(/\n$/, ''))
}
