import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { PipelineSpec, TaskSpecOf } from '../../core/spec/pipeline-spec.js'
import { duckdbSqlError } from '../../transforms/sql/duckdb-sql-error.js'
import { pushdownSqlError } from '../../transforms/sql/pushdown-sql-error.js'
import { sqlError, type SqlOrigin } from '../../transforms/sql/sql-error.js'
import { splitSqlStatements, type SqlDialect } from '../../transforms/sql/split-sql-statements.js'
import { wrapDuckdbSql } from '../../transforms/sql/wrap-duckdb-sql.js'
import type { DataPlane } from '../data-plane.js'
import { datasetOutputs } from './dataset-outputs.js'
import { openSqlRunner } from './open-sql-runner.js'
import { sqlColumnLineage } from './sql-column-lineage.js'
import { carriedWatermark } from './carried-watermark.js'
import type { TaskContext, TaskExecutor, TaskOutcome } from '../task-context.js'

const TRANSACTION_CONTROL = /^(begin|commit|rollback|end|start\s+transaction)\b/i

/**
 * `sql`: without `connection:` the query runs in DuckDB over the datasets of the upstream tasks,
 * each bound as a CTE named after its task id (so concurrent tasks share no session state), and
 * its result becomes this task's dataset. With `connection:` the script runs inside that database,
 * all statements in one transaction, and the outputs give the rows affected per statement. The
 * SQL arrives rendered by the loader (templates and `ref()`; a `file:`'s contents in `sql`).
 * Errors are `E_SQL` located in the user's SQL (.sql file:line:col, or the line of `sql:`).
 */
export function sqlExecutor(plane: DataPlane, spec?: PipelineSpec): TaskExecutor {
  return {
    type: 'sql',
    async execute(ctx): Promise<TaskOutcome> {
      const task = ctx.task as TaskSpecOf<'sql'>
      // a spec built without the loader may still carry only file:; it is read as written
      const text = task.sql ?? (await readFile(resolve(ctx.baseDir, task.file!), 'utf8'))
      const origin: SqlOrigin = {
        task: ctx.taskId,
        text,
        ...(task.file !== undefined && { file: task.file }),
      }
      if (task.connection !== undefined) return pushDown(ctx, plane, spec, task.connection, origin)
      const datasets = await plane.datasets()
      const inputs = Object.entries(ctx.upstream)
        .filter(([, o]) => (o as { dataset?: string } | undefined)?.dataset !== undefined)
        .map(([id]) => ({ id, relation: datasets.sqlRef(ctx.runId, id) }))
      const wrapped = wrapDuckdbSql(text, inputs)
      let info
      try {
        info = await datasets.writeQuery(ctx.runId, ctx.taskId, wrapped.sql)
      } catch (e) {
        throw duckdbSqlError(
          e,
          origin,
          wrapped.lineOffset,
          inputs.map((i) => i.id),
        )
      }
      ctx.metric('rows_out', info.rowCount)
      const lineage = await sqlColumnLineage(await plane.engine(), text, ctx.upstream, info)
      return {
        outputs: {
          ...datasetOutputs(info),
          ...(lineage.length > 0 && { column_lineage: lineage }),
          ...carriedWatermark(ctx.upstream),
        },
      }
    },
  }
}

async function pushDown(
  ctx: TaskContext,
  plane: DataPlane,
  spec: PipelineSpec | undefined,
  connection: string,
  origin: SqlOrigin,
): Promise<TaskOutcome> {
  if (spec === undefined)
    throw sqlError(origin, {}, `connection ${connection} is not known to this executor`, {
      hint: 'create the executor with the pipeline spec: sqlExecutor(plane, spec)',
      code: 'E_INTERNAL',
    })
  const { runner, connector } = openSqlRunner(plane.registry, spec, connection, ctx.baseDir)
  try {
    const dialect: SqlDialect =
      connector === 'postgres' || connector === 'mysql' || connector === 'sqlite'
        ? connector
        : 'postgres'
    const statements = splitSqlStatements(origin.text, dialect)
    if (statements.length === 0)
      throw sqlError(origin, {}, 'the SQL has no statement', {
        hint: 'write at least one statement',
      })
    statements.forEach((s, k) => {
      if (TRANSACTION_CONTROL.test(s.text))
        throw sqlError(
          origin,
          { line: s.line, statement: k + 1, statements: statements.length },
          `${s.text.split(/\s/, 1)[0]!.toUpperCase()} is not allowed here`,
          {
            hint: 'sluice runs all statements of the task in one transaction itself; remove BEGIN/COMMIT/ROLLBACK',
          },
        )
    })
    ctx.log(`running ${statements.length} statement(s) inside ${connection} in one transaction`)
    const result = await runner.run(
      statements.map((s) => s.text),
      { signal: ctx.signal, log: (t) => ctx.log(t) },
    )
    if (!result.ok) {
      // the snippet quotes the user's SQL: mask the connection's secrets there too
      const shown = { ...origin, text: runner.mask(origin.text) }
      throw pushdownSqlError(shown, statements, result.failure, connection)
    }
    const rows = [...result.rowsAffected]
    rows.forEach((n, k) => ctx.log(`statement ${k + 1}: ${n} row(s)`))
    ctx.metric(
      'rows_out',
      rows.reduce((a, b) => a + b, 0),
    )
    return { outputs: { connection, statements: rows.length, rows_affected: rows } }
  } finally {
    await runner.close()
  }
}
