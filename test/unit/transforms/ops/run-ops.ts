import type { TransformOp } from '../../../../src/core/spec/transform-op-schema.js'
import type { Value } from '../../../../src/data/column-type.js'
import type { DuckDBEngine } from '../../../../src/data/duckdb/duckdb-engine.js'
import { compileOps, type OpInput } from '../../../../src/transforms/ops/index.js'

export type Plain = null | boolean | number | string

/** bigint → number (the test values are small), everything else as is. */
export function plain(v: Value): Plain {
  if (typeof v === 'bigint') return Number(v)
  if (v instanceof Uint8Array) return `<${v.length} bytes>`
  return v
}

/** Compiles `ops` over table `table` (its columns read from DuckDB) and runs the query. */
export async function runOps(
  engine: DuckDBEngine,
  table: string,
  ops: readonly TransformOp[],
  relations: Readonly<Record<string, OpInput>> = {},
): Promise<{ columns: string[]; rows: Plain[][]; fitted: unknown[] }> {
  const input = await tableInput(engine, table)
  const compiled = compileOps(ops, input, relations)
  const { schema, rows } = await engine.all(compiled.sql)
  if (schema.columns.length > 0) {
    // The compiler's column tracking agrees with what DuckDB returns.
    const names = schema.columns.map((c) => c.name)
    if (names.join('\u0001') !== compiled.columns.join('\u0001')) {
      throw new Error(`columns ${compiled.columns.join()} but DuckDB returned ${names.join()}`)
    }
  }
  const fitted: unknown[] = []
  for (const f of compiled.fitted) {
    const r = await engine.all(f.sql)
    if (r.rows.length !== 1) throw new Error(`fitted query returned ${r.rows.length} rows`)
    fitted.push(JSON.parse(String(r.rows[0]![0])))
  }
  return { columns: compiled.columns, rows: rows.map((r) => r.map(plain)), fitted }
}

/** An OpInput for a table, with its columns from DuckDB. */
export async function tableInput(engine: DuckDBEngine, table: string): Promise<OpInput> {
  const schema = await engine.schemaOf(`SELECT * FROM ${table}`)
  return { sql: table, columns: schema.columns.map((c) => c.name) }
}

/** One column of a result. */
export function col(result: { columns: string[]; rows: Plain[][] }, name: string): Plain[] {
  const i = result.columns.indexOf(name)
  if (i < 0) throw new Error(`no column ${name}`)
  return result.rows.map((r) => r[i]!)
}
