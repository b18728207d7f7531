import type {
  ColumnContract,
  ContractPolicy,
  ContractSpec,
} from '../../core/spec/contract-schema.js'
import { SluiceError } from '../../core/sluice-error.js'
import type { ColumnType, TableSchema } from '../../data/column-type.js'
import { duckdbTypeName } from '../../data/duckdb/duckdb-type-name.js'
import { quoteIdentifier as q } from '../../data/duckdb/quote-identifier.js'
import { quoteLiteral as lit } from '../../data/duckdb/quote-literal.js'
import { formatColumnType } from '../../data/types/format-column-type.js'
import { parseColumnType } from '../../data/types/parse-column-type.js'
import { widenType } from '../../data/types/widen-type.js'

/** One way rows can break a column's contract, as a SQL condition over the staged rows. */
export interface ContractRule {
  readonly column: string
  readonly what: string
  /** True for a violating row. */
  readonly sql: string
  readonly kind: 'type' | 'constraint' | 'new_column'
  readonly policy: ContractPolicy
}

/** The queries that check and enforce a contract over a dataset (a DuckDB relation). */
export interface ContractQueries {
  readonly rules: readonly ContractRule[]
  /** One row: `total`, then one violation count per rule, in order. */
  readonly countSql: string
  /**
   * After the counts: what to do. `failures` non-empty means the task fails; otherwise
   * `rewriteSql` (when something changes) is the dataset to keep and `rejectsSql` the rows
   * dropped (file, line, reason, raw), and `notes` say what changed.
   */
  decide(counts: readonly number[]): ContractDecision
}

export interface ContractDecision {
  readonly failures: readonly string[]
  readonly notes: readonly string[]
  readonly rewriteSql?: string
  readonly rejectsSql?: string
  readonly droppedRows: boolean
}

const NUMERIC = new Set(['int32', 'int64', 'decimal', 'float64'])

function normalise(c: string | ColumnContract): ColumnContract {
  return typeof c === 'string' ? { type: c } : c
}

function typeOf(column: string, text: string): ColumnType {
  try {
    return parseColumnType(text)
  } catch (e) {
    throw new SluiceError(
      'E_SCHEMA_VALUE',
      `contract column ${column}: unknown type ${JSON.stringify(text)}`,
      {
        hint: 'use boolean, int32, int64, float64, decimal(p,s), string, date, timestamp, timestamptz, json or binary',
        cause: e,
      },
    )
  }
}

function sameType(a: ColumnType, b: ColumnType): boolean {
  return formatColumnType(a) === formatColumnType(b)
}

/**
 * Compiles a task's `contract:` against the schema of the dataset it wrote. Declared columns are
 * cast to their type (a value that does not cast, or loses digits, breaks the contract), then
 * checked for nullability, min, max, values and pattern; columns not in the contract are new.
 * What a broken rule does follows its policy (the column's, else the contract's, default
 * `evolve`): `freeze` fails the task; `evolve` accepts a new column or a wider type (the column
 * keeps the data's type) and fails on anything else; `discard_row` drops the rows that break it
 * (kept as rejects with the reason); `discard_value` makes the value NULL (a new column is dropped;
 * in a NOT NULL column the row goes instead). A declared column the data lacks is added as NULL
 * unless it is NOT NULL or the policy is `freeze`.
 */
export function planContract(
  contract: ContractSpec,
  source: string,
  schema: TableSchema,
): ContractQueries {
  const tablePolicy = contract.policy ?? 'evolve'
  const actual = new Map(schema.columns.map((c) => [c.name, c.type]))
  const declared = Object.entries(contract.columns).map(([name, c]) => {
    const spec = normalise(c)
    return {
      name,
      spec,
      type: spec.type === undefined ? undefined : typeOf(name, spec.type),
      policy: spec.policy ?? tablePolicy,
    }
  })
  const missing = declared.filter((d) => !actual.has(d.name))
  const extra = schema.columns.filter((c) => !(c.name in contract.columns))
  const rules: ContractRule[] = []
  const value = new Map<string, string>()
  for (const d of declared) {
    const from = actual.get(d.name)
    if (from === undefined) continue
    const col = q(d.name)
    let v = col
    if (d.type !== undefined && !sameType(d.type, from)) {
      v = `TRY_CAST(${col} AS ${duckdbTypeName(d.type)})`
      const lossy = NUMERIC.has(d.type.kind) && NUMERIC.has(from.kind) ? ` OR ${v} <> ${col}` : ''
      rules.push({
        column: d.name,
        what: `does not fit ${formatColumnType(d.type)}`,
        sql: `(${col} IS NOT NULL AND (${v} IS NULL${lossy}))`,
        kind: 'type',
        policy: d.policy,
      })
    }
    value.set(d.name, v)
    const s = d.spec
    const constraint = (what: string, sql: string): void => {
      rules.push({ column: d.name, what, sql, kind: 'constraint', policy: d.policy })
    }
    if (s.nullable === false) constraint('NULL', `(${col} IS NULL)`)
    if (s.min !== undefined) constraint(`below ${s.min}`, `(${v} < ${s.min})`)
    if (s.max !== undefined) constraint(`above ${s.max}`, `(${v} > ${s.max})`)
    if (s.values !== undefined)
      constraint(
        `not one of ${s.values.join(', ')}`,
        `(CAST(${v} AS VARCHAR) NOT IN (${s.values.map((x) => lit(String(x))).join(', ')}))`,
      )
    if (s.pattern !== undefined)
      constraint(
        `not matching ${s.pattern}`,
        `(NOT regexp_matches(CAST(${v} AS VARCHAR), ${lit(s.pattern)}))`,
      )
  }
  for (const c of extra)
    rules.push({
      column: c.name,
      what: 'a column the contract does not declare',
      sql: `(${q(c.name)} IS NOT NULL)`,
      kind: 'new_column',
      policy: tablePolicy,
    })
  // a value that fails its cast breaks the type rule only (the NULL rule looks at the data)
  const countSql = `SELECT count(*)${rules
    .map((r) => `, count(*) FILTER (WHERE coalesce(${r.sql}, false))`)
    .join('')} FROM ${source}`

  return {
    rules,
    countSql,
    decide(counts) {
      const total = counts[0] ?? 0
      const failures: string[] = []
      const notes: string[] = []
      const dropIf: ContractRule[] = []
      const nullIf = new Map<string, ContractRule[]>()
      const keepType = new Set<string>()
      const dropColumn = new Set<string>()
      for (const d of missing) {
        if (d.spec.nullable === false || d.policy === 'freeze')
          failures.push(
            `${d.name}: declared${d.spec.nullable === false ? ' NOT NULL' : ''} but the data has no such column`,
          )
        else notes.push(`${d.name}: missing from the data, added as NULL`)
      }
      rules.forEach((r, i) => {
        const n = counts[i + 1] ?? 0
        if (r.kind === 'new_column') {
          if (r.policy === 'freeze')
            failures.push(`${r.column}: ${r.what} (contract policy freeze)`)
          else if (r.policy === 'evolve') notes.push(`${r.column}: new column, kept (evolve)`)
          else {
            dropColumn.add(r.column)
            if (r.policy === 'discard_row' && n > 0) dropIf.push(r)
            notes.push(
              `${r.column}: new column dropped${r.policy === 'discard_row' && n > 0 ? `, with the ${n} rows that have a value in it` : ''}`,
            )
          }
          return
        }
        if (n === 0) return
        const where = `${n} of ${total} rows: ${r.column} ${r.what}`
        if (r.policy === 'freeze') failures.push(`${where} (policy freeze)`)
        else if (r.policy === 'evolve') {
          const from = actual.get(r.column)!
          const d = declared.find((x) => x.name === r.column)!
          if (r.kind === 'type' && d.type && sameType(widenType(d.type, from) ?? d.type, from)) {
            keepType.add(r.column)
            notes.push(
              `${r.column}: evolved from ${formatColumnType(d.type)} to ${formatColumnType(from)} (${n} values did not fit)`,
            )
          } else failures.push(`${where} (policy evolve accepts only new columns and wider types)`)
        } else if (r.policy === 'discard_row') {
          dropIf.push(r)
          notes.push(`${where}: rows dropped`)
        } else {
          const d = declared.find((x) => x.name === r.column)!
          if (d.spec.nullable === false) {
            dropIf.push(r)
            notes.push(`${where}: rows dropped (the column is NOT NULL)`)
          } else {
            nullIf.set(r.column, [...(nullIf.get(r.column) ?? []), r])
            notes.push(`${where}: values set to NULL`)
          }
        }
      })
      if (failures.length > 0) return { failures, notes, droppedRows: false }
      const changes =
        notes.length > 0 ||
        declared.some((d) => value.get(d.name) !== undefined && value.get(d.name) !== q(d.name))
      if (!changes && declared.every((d, i) => schema.columns[i]?.name === d.name))
        return { failures, notes, droppedRows: false }
      const items: string[] = []
      for (const d of declared) {
        const v = keepType.has(d.name) ? q(d.name) : value.get(d.name)
        if (v === undefined) {
          items.push(`CAST(NULL AS ${d.type ? duckdbTypeName(d.type) : 'VARCHAR'}) AS ${q(d.name)}`)
          continue
        }
        const nulls = nullIf.get(d.name)
        items.push(
          nulls
            ? `CASE WHEN ${nulls.map((r) => `coalesce(${r.sql}, false)`).join(' OR ')} THEN NULL ELSE ${v} END AS ${q(d.name)}`
            : `${v} AS ${q(d.name)}`,
        )
      }
      for (const c of extra) if (!dropColumn.has(c.name)) items.push(q(c.name))
      const bad = dropIf.map((r) => `coalesce(${r.sql}, false)`).join(' OR ')
      const numbered = `(SELECT row_number() OVER () AS __sluice_line, * FROM ${source}) AS __sluice_src`
      const rewriteSql = `SELECT ${items.join(', ')} FROM ${numbered}${bad ? ` WHERE NOT (${bad})` : ''} ORDER BY __sluice_line`
      const reason = `concat_ws('; ', ${dropIf
        .map((r) => `CASE WHEN coalesce(${r.sql}, false) THEN ${lit(`${r.column}: ${r.what}`)} END`)
        .join(', ')})`
      const raw = `to_json(struct_pack(${schema.columns.map((c) => `${q(c.name)} := ${q(c.name)}`).join(', ')}))::VARCHAR`
      return {
        failures,
        notes,
        rewriteSql,
        ...(bad && {
          rejectsSql: `SELECT 'contract' AS file, __sluice_line AS line, ${reason} AS reason, ${raw} AS raw FROM ${numbered} WHERE ${bad} ORDER BY __sluice_line`,
        }),
        droppedRows: bad.length > 0,
      }
    },
  }
}
