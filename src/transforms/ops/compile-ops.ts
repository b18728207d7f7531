import { SluiceError } from '../../core/sluice-error.js'
import {
  TRANSFORM_OP_NAMES,
  type TransformOp,
  type TransformOpName,
} from '../../core/spec/transform-op-schema.js'
import { columnList } from './column-list.js'
import { compileAggregate } from './compile-aggregate.js'
import { compileCast } from './compile-cast.js'
import { compileCompleteness } from './compile-completeness.js'
import { compileDedupe } from './compile-dedupe.js'
import { compileDerive } from './compile-derive.js'
import { compileDropIncomplete } from './compile-drop-incomplete.js'
import { compileFillNull } from './compile-fill-null.js'
import { compileImpute } from './compile-impute.js'
import { compileIncrease } from './compile-increase.js'
import { compileJoin } from './compile-join.js'
import { compileLag } from './compile-lag.js'
import { compileOutliers } from './compile-outliers.js'
import { compileRate } from './compile-rate.js'
import { compileRename } from './compile-rename.js'
import { compileResample } from './compile-resample.js'
import { compileRolling } from './compile-rolling.js'
import { compileSample } from './compile-sample.js'
import { compileScale } from './compile-scale.js'
import { compileSelect } from './compile-select.js'
import { compileSort } from './compile-sort.js'
import { compileTimeFeatures } from './compile-time-features.js'
import { compileTrend } from './compile-trend.js'
import type { OpInput, OpOutput, OpScope } from './op-scope.js'
import { requireNewNames } from './require-new-names.js'
import { ROW_NUMBER_COLUMN } from './row-number-column.js'

/** A query whose single row holds the parameters an op fitted (scale, outliers). */
export interface FittedQuery {
  /** Index of the op in the list. */
  readonly op: number
  /** `<op>_<index>`, e.g. `scale_4`: a key for the task outputs. */
  readonly name: string
  /** One SELECT returning one row with one JSON column, `params`. */
  readonly sql: string
}

/** The ops compiled to one DuckDB query. */
export interface CompiledOps {
  /** `WITH __s0 AS (...), ... SELECT <columns> FROM __sN ORDER BY <row number>`, no semicolon. */
  readonly sql: string
  /** Output column names, in order. */
  readonly columns: string[]
  readonly fitted: readonly FittedQuery[]
}

function opName(scope: { index: number }, op: TransformOp): TransformOpName {
  const keys = Object.keys(op)
  const name = TRANSFORM_OP_NAMES.find((n) => n === keys[0])
  if (keys.length !== 1 || name === undefined) {
    throw new SluiceError(
      'E_SCHEMA_VALUE',
      `ops[${scope.index}]: an op is an object with exactly one key, one of ${TRANSFORM_OP_NAMES.join(', ')}; got ${keys.join(', ') || 'none'}`,
      { hint: 'write each op as its own list item: `- filter: "x > 0"`' },
    )
  }
  return name
}

function compileOne(scope: OpScope, op: TransformOp): OpOutput {
  const from = scope.from
  if ('select' in op) return compileSelect(scope, op.select)
  if ('rename' in op) return compileRename(scope, op.rename)
  if ('cast' in op) return compileCast(scope, op.cast)
  if ('filter' in op) {
    return {
      from: scope.stage(`SELECT * FROM ${from} WHERE (${op.filter}\n)`),
      columns: [...scope.columns],
    }
  }
  if ('derive' in op) return compileDerive(scope, op.derive)
  if ('dedupe' in op) return compileDedupe(scope, op.dedupe)
  if ('aggregate' in op) return compileAggregate(scope, op.aggregate)
  if ('join' in op) return compileJoin(scope, op.join)
  if ('sort' in op) return compileSort(scope, op.sort)
  if ('limit' in op) {
    return {
      from: scope.stage(`SELECT * FROM ${from} ORDER BY ${ROW_NUMBER_COLUMN} LIMIT ${op.limit}`),
      columns: [...scope.columns],
    }
  }
  if ('fill_null' in op) return compileFillNull(scope, op.fill_null)
  if ('impute' in op) return compileImpute(scope, op.impute)
  if ('outliers' in op) return compileOutliers(scope, op.outliers)
  if ('scale' in op) return compileScale(scope, op.scale)
  if ('drop_incomplete' in op) return compileDropIncomplete(scope, op.drop_incomplete)
  if ('sample' in op) return compileSample(scope, op.sample)
  return compileTimeSeries(scope, op)
}

function compileTimeSeries(scope: OpScope, op: TransformOp): OpOutput {
  if ('resample' in op) return compileResample(scope, op.resample)
  if ('rate' in op) return compileRate(scope, op.rate)
  if ('increase' in op) return compileIncrease(scope, op.increase)
  if ('rolling' in op) return compileRolling(scope, op.rolling)
  if ('trend' in op) return compileTrend(scope, op.trend)
  if ('lag' in op) return compileLag(scope, op.lag, 'lag')
  if ('delta' in op) return compileLag(scope, op.delta, 'delta')
  if ('time_features' in op) return compileTimeFeatures(scope, op.time_features)
  if ('completeness' in op) return compileCompleteness(scope, op.completeness)
  throw new SluiceError(
    'E_SCHEMA_VALUE',
    `ops[${scope.index}]: unknown op ${Object.keys(op).join(', ')}`,
  )
}

/**
 * Compiles a transform task's `ops:` into one DuckDB SELECT over `input` (a table/view name or
 * `(subquery)`, inserted as written, with its columns). `relations` are the other datasets a
 * `join` may name. Column names are tracked through the ops; an unknown column or relation throws
 * SluiceError E_SCHEMA_VALUE naming the op (`ops[3] rename: no column "amt"; columns: a, b`) with
 * a did-you-mean. Identifiers and literals are quoted; SQL expressions (filter, derive, dedupe
 * order_by) are inserted as written, since pipeline authors are trusted as in a `sql` task.
 *
 * Input order: rows are numbered once as DuckDB reads `input` (row_number() OVER () is a streaming,
 * order-preserving window; a dataset file or table reads in stored order). Ops that depend on order
 * break ties with that number, `sort` renumbers, and the result is ordered by it, so the output,
 * dedupe winners and samples are deterministic whatever DuckDB's thread count.
 */
export function compileOps(
  ops: readonly TransformOp[],
  input: OpInput,
  relations: Readonly<Record<string, OpInput>> = {},
): CompiledOps {
  requireNewNames({ index: -1, name: 'input' }, input.columns)
  const ctes: string[] = []
  const stage = (select: string): string => {
    const name = `__s${ctes.length}`
    ctes.push(`${name} AS (${select})`)
    return name
  }
  let from = stage(
    `SELECT ${columnList(input.columns)}, row_number() OVER () AS ${ROW_NUMBER_COLUMN} FROM ${input.sql}`,
  )
  let columns: string[] = [...input.columns]
  const fitted: FittedQuery[] = []
  const relationNames = Object.keys(relations)
  ops.forEach((op, index) => {
    const name = opName({ index }, op)
    const before = ctes.length
    const scope: OpScope = {
      index,
      name,
      from,
      columns,
      stage,
      relation: (n) => (Object.hasOwn(relations, n) ? relations[n] : undefined),
      relationNames,
    }
    const out = compileOne(scope, op)
    if (out.fitted !== undefined) {
      fitted.push({
        op: index,
        name: `${name}_${index}`,
        sql: `WITH ${ctes.slice(0, before).join(',\n')}\n${out.fitted}`,
      })
    }
    from = out.from
    columns = out.columns
  })
  const sql = `WITH ${ctes.join(',\n')}\nSELECT ${columnList(columns)} FROM ${from} ORDER BY ${ROW_NUMBER_COLUMN}`
  return { sql, columns, fitted }
}
