import { formatDuration, parseDuration } from '../../core/duration.js'
import type { CheckSpec, CheckType } from '../../core/spec/check-schema.js'
import { SluiceError } from '../../core/sluice-error.js'
import { didYouMean } from '../../core/suggest.js'
import type { TableSchema, TypeKind } from '../../data/column-type.js'
import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'
import { quoteLiteral } from '../../data/duckdb/quote-literal.js'
import { asList } from './as-list.js'
import type { Json } from './check-result.js'
import { checkName } from './check-name.js'
import type { CheckTarget } from './check-target.js'
import { checkTypeOf } from './check-type-of.js'
import { columnResolver, type ResolveColumn } from './column-resolver.js'

export interface CompileCheckOptions {
  /** The instant `freshness` and `no_future` compare with. Default: the current time. */
  readonly now?: Date
  /** The target's columns: when given, every column a check names is checked to exist. */
  readonly schema?: TableSchema
  /** The columns of relations (by name), to check `referential` to_column. */
  readonly relationSchemas?: Readonly<Record<string, TableSchema>>
}

/** What a message is built from: the counts and the first failing row. */
export interface CheckOutcome {
  readonly failing: number
  readonly total: number
  readonly first: Record<string, Json> | undefined
}

/** A check as DuckDB SQL, ready for `runChecks`. */
export interface CompiledCheck {
  readonly name: string
  readonly type: CheckType
  readonly severity: 'error' | 'warn'
  /** SELECT of the failing rows; for row_count and freshness one row when the check fails. */
  readonly failingSql: string
  /** SELECT of the failing rows for samples, in a stable order, without LIMIT. */
  readonly sampleSql: string
  /** SELECT of one count: the rows checked. */
  readonly totalSql: string
  /** The one-line result message. */
  readonly message: (outcome: CheckOutcome) => string
  /** Whether the SQL embeds user-written SQL (`sql`, `expression`): a failure is then theirs. */
  readonly customSql: boolean
}

/** The 1-based position of a row in the dataset (samples carry it). */
export const ROW_COLUMN = '_sluice_row'
/** The previous value in the sequence (monotonic and max_gap samples carry it). */
export const PREVIOUS_COLUMN = '_sluice_previous'

const TEMPORAL: readonly TypeKind[] = ['date', 'timestamp', 'timestamptz']
const T = '_sluice_t'

/**
 * Compiles one check to DuckDB SQL over `target`. Row checks select the failing rows of the
 * dataset; `row_count` and `freshness` select one row when they fail. Input order (for
 * `monotonic` and for `_sluice_row` in samples) is the order rows are stored in the dataset,
 * numbered by `row_number() OVER ()`, which DuckDB evaluates in one order-preserving stream.
 * With `options.schema`, unknown columns throw E_SCHEMA_VALUE with a suggestion.
 */
export function compileCheck(
  check: CheckSpec,
  target: CheckTarget,
  options: CompileCheckOptions = {},
): CompiledCheck {
  const type = checkTypeOf(check)
  const name = checkName(check)
  const col = columnResolver(name, options.schema)
  const parts = compileParts(check, type, name, target, col, options)
  return {
    name,
    type,
    severity: check.severity ?? 'error',
    totalSql: `SELECT count(*) FROM ${target.sql} AS ${T}`,
    customSql: type === 'sql' || type === 'expression',
    ...parts,
    sampleSql: parts.sampleSql ?? parts.failingSql,
  }
}

interface Parts {
  readonly failingSql: string
  readonly sampleSql?: string
  readonly message: (o: CheckOutcome) => string
}

function compileParts(
  check: CheckSpec,
  type: CheckType,
  name: string,
  target: CheckTarget,
  col: ResolveColumn,
  options: CompileCheckOptions,
): Parts {
  const plain = `${target.sql} AS ${T}`
  const numbered = `(SELECT *, row_number() OVER () AS ${ROW_COLUMN} FROM ${target.sql}) AS ${T}`
  /** A check that fails row by row on a WHERE condition. */
  const filter = (cond: string, phrase: (one: boolean) => string): Parts => ({
    failingSql: `SELECT * FROM ${plain} WHERE ${cond}`,
    sampleSql: `SELECT * FROM ${numbered} WHERE ${cond} ORDER BY ${ROW_COLUMN}`,
    message: (o) => `${rowsOf(o)} ${phrase(o.failing === 1)}`,
  })
  const now = options.now ?? new Date()

  switch (type) {
    case 'not_null': {
      const cols = asList(check.not_null!)
      const cond = cols.map((c) => `${col(c)} IS NULL`).join(' OR ')
      return filter(cond, (one) => `${has(one)} NULL in ${cols.join(' or ')}`)
    }
    case 'unique': {
      const cols = asList(check.unique!)
      const keys = cols.map((c) => col(c)).join(', ')
      const notNull = cols.map((c) => `${col(c)} IS NOT NULL`).join(' AND ')
      const dups = (from: string, order = '') =>
        `SELECT * EXCLUDE (_sluice_dups) FROM (SELECT *, count(*) OVER (PARTITION BY ${keys}) AS _sluice_dups FROM ${from} WHERE ${notNull}) AS _sluice_u WHERE _sluice_dups > 1${order}`
      const key = cols.length === 1 ? cols[0]! : `(${cols.join(', ')})`
      return {
        failingSql: dups(plain),
        sampleSql: dups(numbered, ` ORDER BY ${keys}, ${ROW_COLUMN}`),
        message: (o) => `${rowsOf(o)} ${has(o.failing === 1)} a duplicated ${key}`,
      }
    }
    case 'accepted_values': {
      const a = check.accepted_values!
      const c = col(a.column)
      const asText = options.schema !== undefined && kindOf(options.schema, a.column) === 'string'
      const values = a.values.map((v) => literal(asText ? String(v) : v)).join(', ')
      const allowNull = a.allow_null ?? false
      const cond = allowNull
        ? `${c} IS NOT NULL AND ${c} NOT IN (${values})`
        : `${c} IS NULL OR ${c} NOT IN (${values})`
      const shown = `[${a.values.map(String).join(', ')}]`
      return filter(
        cond,
        (one) => `${has(one)} ${a.column} ${allowNull ? '' : 'NULL or '}not in ${shown}`,
      )
    }
    case 'range': {
      const r = check.range!
      const c = col(r.column)
      const inclusive = r.inclusive ?? true
      const tests: [string, string][] = []
      if (r.min !== undefined) tests.push([inclusive ? '<' : '<=', literal(r.min)])
      if (r.max !== undefined) tests.push([inclusive ? '>' : '>=', literal(r.max)])
      const cond = tests.map(([op, v]) => `${c} ${op} ${v}`).join(' OR ')
      const shown = [
        r.min !== undefined && `${inclusive ? '<' : '<='} ${String(r.min)}`,
        r.max !== undefined && `${inclusive ? '>' : '>='} ${String(r.max)}`,
      ]
        .filter(Boolean)
        .join(' or ')
      return filter(cond, (one) => `${has(one)} ${r.column} ${shown}`)
    }
    case 'regex': {
      const r = check.regex!
      const cond = `NOT regexp_matches(CAST(${col(r.column)} AS VARCHAR), ${quoteLiteral(r.pattern)})`
      return filter(
        cond,
        (one) => `${has(one)} ${r.column} not matching ${JSON.stringify(r.pattern)}`,
      )
    }
    case 'expression': {
      const e = check.expression!
      return filter(`NOT (${e}\n)`, (one) => `${one ? 'fails' : 'fail'} ${e.trim()}`)
    }
    case 'no_future': {
      const f = check.no_future!
      const tolerance = f.tolerance ?? 0
      const cutoff = new Date(now.getTime() + parseDuration(tolerance)!).toISOString()
      const cond = `CAST(${col(f.column, TEMPORAL)} AS TIMESTAMPTZ) > ${instant(cutoff)}`
      const plus = f.tolerance === undefined ? 'now' : `now + ${durationText(tolerance)}`
      return filter(cond, (one) => `${has(one)} ${f.column} after ${cutoff} (${plus})`)
    }
    case 'referential': {
      const r = check.referential!
      const relation = target.relations?.[r.to]
      if (relation === undefined) {
        const known = Object.keys(target.relations ?? {})
        throw new SluiceError(
          'E_SCHEMA_VALUE',
          `check ${name}: no relation named ${JSON.stringify(r.to)}; known: ${known.join(', ') || '(none)'}`,
          {
            hint:
              didYouMean(r.to, known) ??
              'name an upstream task of this task (list it under depends_on)',
          },
        )
      }
      const toColumn = r.to_column ?? r.column
      const toCol = columnResolver(name, options.relationSchemas?.[r.to], r.to)(toColumn)
      const c = col(r.column)
      const cond = `${c} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${relation} AS _sluice_r WHERE _sluice_r.${toCol} = ${T}.${c})`
      return filter(cond, (one) => `${has(one)} ${r.column} not found in ${r.to}.${toColumn}`)
    }
    case 'monotonic': {
      const m = check.monotonic!
      const c = col(m.column)
      const by = asList(m.by ?? []).map((b) => col(b))
      const partition = by.length > 0 ? `PARTITION BY ${by.join(', ')} ` : ''
      const failingSql =
        `SELECT * FROM (SELECT *, lag(${c}) OVER (${partition}ORDER BY ${ROW_COLUMN}) AS ${PREVIOUS_COLUMN} ` +
        `FROM ${numbered} WHERE ${c} IS NOT NULL) AS _sluice_m WHERE ${c} ${m.strict === true ? '<=' : '<'} ${PREVIOUS_COLUMN}`
      const what = m.strict === true ? 'not above' : 'below'
      return {
        failingSql,
        sampleSql: `${failingSql} ORDER BY ${ROW_COLUMN}`,
        message: (o) =>
          `${rowsOf(o)} ${has(o.failing === 1)} ${m.column} ${what} the previous value${perKey(m.by)}`,
      }
    }
    case 'max_gap': {
      const g = check.max_gap!
      const c = col(g.column, TEMPORAL)
      const by = asList(g.by ?? []).map((b) => col(b))
      const partition = by.length > 0 ? `PARTITION BY ${by.join(', ')} ` : ''
      const micros = Math.round(parseDuration(g.max)! * 1000)
      const gaps = (from: string, tie: string) =>
        `SELECT * FROM (SELECT *, lag(${c}) OVER (${partition}ORDER BY ${c}${tie}) AS ${PREVIOUS_COLUMN} ` +
        `FROM ${from} WHERE ${c} IS NOT NULL) AS _sluice_g ` +
        `WHERE CAST(${c} AS TIMESTAMPTZ) > CAST(${PREVIOUS_COLUMN} AS TIMESTAMPTZ) + to_microseconds(${micros})`
      return {
        failingSql: gaps(plain, ''),
        sampleSql: `${gaps(numbered, `, ${ROW_COLUMN}`)} ORDER BY ${[...by, c, ROW_COLUMN].join(', ')}`,
        message: (o) =>
          `${rowsOf(o)} ${o.failing === 1 ? 'follows' : 'follow'} a gap over ${durationText(g.max)} in ${g.column}${perKey(g.by)}`,
      }
    }
    case 'row_count': {
      const r = check.row_count!
      const tests = [
        r.min !== undefined && `count(*) < ${r.min}`,
        r.max !== undefined && `count(*) > ${r.max}`,
      ].filter(Boolean)
      const expected =
        r.min !== undefined && r.max !== undefined
          ? `between ${r.min} and ${r.max}`
          : r.min !== undefined
            ? `at least ${r.min}`
            : `at most ${r.max}`
      return {
        failingSql: `SELECT count(*) AS row_count FROM ${plain} HAVING ${tests.join(' OR ')}`,
        message: (o) => `${o.total} ${o.total === 1 ? 'row' : 'rows'}, expected ${expected}`,
      }
    }
    case 'freshness': {
      const f = check.freshness!
      const c = col(f.column, TEMPORAL)
      const age = durationText(f.max_age)
      const cutoff = new Date(now.getTime() - parseDuration(f.max_age)!).toISOString()
      return {
        failingSql:
          `SELECT max(${c}) AS newest FROM ${plain} ` +
          `HAVING max(${c}) IS NULL OR CAST(max(${c}) AS TIMESTAMPTZ) < ${instant(cutoff)}`,
        message: (o) => {
          if (o.failing === 0) return `newest ${f.column} is within ${age} (after ${cutoff})`
          if (o.total === 0) return `no rows: an empty dataset has no newest ${f.column}`
          const newest = o.first?.newest
          if (newest === null || newest === undefined)
            return o.total === 1
              ? `${f.column} is NULL in the only row`
              : `${f.column} is NULL in all ${o.total} rows`
          return `newest ${f.column} is ${typeof newest === 'string' ? newest : JSON.stringify(newest)}, older than ${age} (cutoff ${cutoff})`
        },
      }
    }
    case 'sql': {
      const relations = Object.entries(target.relations ?? {}).filter(([n]) => n !== 'input')
      const ctes = [
        `input AS (SELECT * FROM ${target.sql})`,
        ...relations.map(([n, rel]) => `${quoteIdentifier(n)} AS (SELECT * FROM ${rel})`),
      ]
      const body = check.sql!.replace(/[;\s]+$/, '')
      return {
        failingSql: `WITH ${ctes.join(', ')} SELECT * FROM (${body}\n) AS _sluice_custom`,
        message: (o) =>
          `the custom SQL returned ${o.failing} failing ${o.failing === 1 ? 'row' : 'rows'} (of ${o.total} input ${o.total === 1 ? 'row' : 'rows'})`,
      }
    }
  }
}

function rowsOf(o: CheckOutcome): string {
  return `${o.failing} of ${o.total} ${o.total === 1 ? 'row' : 'rows'}`
}

function has(one: boolean): string {
  return one ? 'has' : 'have'
}

function perKey(by: string | readonly string[] | undefined): string {
  const keys = asList(by ?? [])
  return keys.length === 0 ? '' : ` (per ${keys.join(', ')})`
}

function literal(v: string | number | boolean): string {
  if (typeof v === 'string') return quoteLiteral(v)
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE'
  return String(v)
}

function instant(iso: string): string {
  return `TIMESTAMPTZ ${quoteLiteral(iso)}`
}

function durationText(d: string | number): string {
  return typeof d === 'string' ? d.trim() : formatDuration(parseDuration(d)!)
}

function kindOf(schema: TableSchema, column: string): TypeKind | undefined {
  const lower = column.toLowerCase()
  return (
    schema.columns.find((c) => c.name === column) ??
    schema.columns.find((c) => c.name.toLowerCase() === lower)
  )?.type.kind
}
