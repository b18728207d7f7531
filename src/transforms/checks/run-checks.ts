import type { CheckSpec } from '../../core/spec/check-schema.js'
import { SluiceError, isSluiceError } from '../../core/sluice-error.js'
import type { TableSchema } from '../../data/column-type.js'
import type { DuckDBEngine } from '../../data/duckdb/duckdb-engine.js'
import type { CheckResult, Json } from './check-result.js'
import type { CheckTarget } from './check-target.js'
import { compileCheck, type CompiledCheck } from './compile-check.js'
import { toJsonRow } from './to-json-row.js'

export interface RunChecksOptions {
  /** The instant `freshness` and `no_future` compare with. Default: the current time. */
  readonly now?: Date
  /** Failing rows kept per check in `sample`. Default 5. */
  readonly sampleRows?: number
}

const DEFAULT_SAMPLE_ROWS = 5

/**
 * Runs quality checks over `target` in DuckDB, in order, and returns one result per check. All
 * checks are compiled (and their columns checked against the dataset) before any runs, so a typo
 * fails fast with E_SCHEMA_VALUE. Each check costs one counting query, plus one LIMITed sample
 * query when it fails; failing rows are never pulled into JS beyond the sample. A failing check
 * is a result, not an exception: the caller decides what severity `error` does to its task.
 * Throws E_CHECK_SQL (with the check's name and DuckDB's message) when a check's SQL fails.
 */
export async function runChecks(
  engine: DuckDBEngine,
  checks: readonly CheckSpec[],
  target: CheckTarget,
  options: RunChecksOptions = {},
): Promise<CheckResult[]> {
  const sampleRows = Math.max(0, Math.floor(options.sampleRows ?? DEFAULT_SAMPLE_ROWS))
  const schema = await schemaOf(engine, target.sql, 'the checked dataset')
  const relationSchemas: Record<string, TableSchema> = {}
  for (const c of checks) {
    const to = c.referential?.to
    const rel = to === undefined ? undefined : target.relations?.[to]
    if (to !== undefined && rel !== undefined && relationSchemas[to] === undefined)
      relationSchemas[to] = await schemaOf(engine, rel, `relation ${to}`)
  }
  const now = options.now ?? new Date()
  const compiled = uniqueNames(
    checks.map((c) => compileCheck(c, target, { now, schema, relationSchemas })),
  )
  const results: CheckResult[] = []
  for (const check of compiled) results.push(await runOne(engine, check, target, sampleRows))
  return results
}

async function runOne(
  engine: DuckDBEngine,
  check: CompiledCheck,
  target: CheckTarget,
  sampleRows: number,
): Promise<CheckResult> {
  const started = performance.now()
  const counts = await query(
    engine,
    check,
    target,
    `SELECT (SELECT count(*) FROM (${check.failingSql}\n) AS _sluice_f) AS failing, (${check.totalSql}) AS total`,
  )
  const row = counts.rows[0] ?? []
  const failing = Number(row[0] ?? 0)
  const total = Number(row[1] ?? 0)
  let sample: Record<string, Json>[] = []
  if (failing > 0) {
    // At least one row, for the message (freshness names the newest value).
    const s = await query(
      engine,
      check,
      target,
      `${check.sampleSql}\nLIMIT ${Math.max(1, sampleRows)}`,
    )
    sample = s.rows.map((r) => toJsonRow(s.schema, r))
  }
  const message = check.message({ failing, total, first: sample[0] })
  return {
    name: check.name,
    type: check.type,
    severity: check.severity,
    status: failing > 0 ? 'fail' : 'pass',
    failing,
    total,
    sample: sample.slice(0, sampleRows),
    message,
    durationMs: performance.now() - started,
  }
}

async function query(
  engine: DuckDBEngine,
  check: CompiledCheck,
  target: CheckTarget,
  sql: string,
): ReturnType<DuckDBEngine['all']> {
  try {
    return await engine.all(sql)
  } catch (e) {
    if (isSluiceError(e)) throw e
    const names = ['input', ...Object.keys(target.relations ?? {}).filter((n) => n !== 'input')]
    throw new SluiceError(
      'E_CHECK_SQL',
      `check ${check.name} (${check.type}) failed in DuckDB: ${firstLine(e)}`,
      {
        hint: check.customSql
          ? check.type === 'sql'
            ? `fix the query; it can read ${names.join(', ')}`
            : 'the expression is evaluated per row over the dataset’s columns; for a condition over all rows use sql: or row_count:'
          : 'check that the column types fit the check (compare numbers with numbers, timestamps with timestamps)',
        cause: e,
      },
    )
  }
}

async function schemaOf(engine: DuckDBEngine, sql: string, what: string): Promise<TableSchema> {
  try {
    return await engine.schemaOf(`SELECT * FROM ${sql}`)
  } catch (e) {
    throw new SluiceError('E_CHECK_SQL', `cannot read ${what} (${sql}): ${firstLine(e)}`, {
      cause: e,
    })
  }
}

/** Later checks with a name already used get ` #2`, ` #3`, … so results stay addressable. */
function uniqueNames(checks: CompiledCheck[]): CompiledCheck[] {
  const seen = new Map<string, number>()
  return checks.map((c) => {
    const n = (seen.get(c.name) ?? 0) + 1
    seen.set(c.name, n)
    return n === 1 ? c : { ...c, name: `${c.name} #${n}` }
  })
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e)
  return text.split('\n')[0]!.trim()
}
