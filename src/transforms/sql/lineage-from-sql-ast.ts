/** One input column: a base table (as the query names it, CTEs resolved) and a column of it. */
export interface ColumnRef {
  readonly table: string
  readonly column: string
}

/** How an output column derives from its inputs (OpenLineage's DIRECT subtypes). */
export type ColumnTransformation = 'IDENTITY' | 'TRANSFORMATION' | 'AGGREGATION'

/** One output column of a query and the input columns its value is computed from. */
export interface OutputColumnLineage {
  /** The output column name; undefined for an unaliased expression when no names were given. */
  readonly name: string | undefined
  /**
   * Input columns, sorted and without duplicates; `[]` for a constant; `undefined` when the
   * parse cannot tell (a subquery in the expression, an ambiguous or unknown column, a lambda).
   */
  readonly inputs: readonly ColumnRef[] | undefined
  readonly transformation: ColumnTransformation | undefined
}

/** The column lineage of a query. */
export interface SqlColumnLineage {
  /** Output columns in order; undefined when the output columns themselves are unknown (`*` over an unknown table, an unsupported statement). */
  readonly columns: readonly OutputColumnLineage[] | undefined
  /** Base tables the query reads (CTE names excluded), sorted. */
  readonly tables: readonly string[]
}

export interface LineageFromAstOptions {
  /** Column names of the tables the query may read (upstream datasets), to expand `*` and resolve unqualified columns. */
  readonly tables?: Readonly<Record<string, readonly string[]>>
  /** The query's actual output column names, in order (used for unaliased expressions). */
  readonly outputColumns?: readonly string[]
}

type Json = unknown
type Obj = { readonly [key: string]: Json }

/** An output column while walking: its sources (keys `table\u0000column`), or undefined when unknown. */
interface Col {
  readonly name: string | undefined
  readonly sources: ReadonlySet<string> | undefined
  readonly transformation: ColumnTransformation | undefined
}

/** One relation visible in a FROM clause. */
interface Binding {
  readonly name: string
  /** Known columns, or undefined when the relation's columns are unknown. */
  readonly columns: readonly Col[] | undefined
  /** Set for a base table: a qualified reference resolves to it even without its schema. */
  readonly baseTable: string | undefined
}

interface Scope {
  readonly bindings: readonly Binding[]
  readonly using: ReadonlySet<string>
}

const AGGREGATES = new Set([
  'sum',
  'count',
  'count_star',
  'avg',
  'mean',
  'min',
  'max',
  'first',
  'last',
  'any_value',
  'arg_min',
  'arg_max',
  'median',
  'mode',
  'quantile',
  'quantile_cont',
  'quantile_disc',
  'stddev',
  'stddev_pop',
  'stddev_samp',
  'variance',
  'var_pop',
  'var_samp',
  'string_agg',
  'group_concat',
  'list',
  'array_agg',
  'bool_and',
  'bool_or',
  'bit_and',
  'bit_or',
  'approx_count_distinct',
  'product',
  'histogram',
])

const KEY_SEP = '\u0000'
const isObj = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: Json): string => (typeof v === 'string' ? v : '')
const lower = (s: string): string => s.toLowerCase()

class Unknown extends Error {}

/**
 * Derives column-level lineage from DuckDB's parsed SQL (`json_serialize_sql(sql)`, parsed
 * JSON): for the last statement, each output column → the base-table columns it reads, through
 * aliases, expressions, CTEs, subqueries, joins and set operations. It never guesses: what the
 * parse cannot settle is `undefined`. Pure; identifiers compare case-insensitively like DuckDB.
 */
export function lineageFromSqlAst(
  ast: unknown,
  options: LineageFromAstOptions = {},
): SqlColumnLineage {
  const tables = new Set<string>()
  const schemas = new Map<string, readonly string[]>()
  for (const [t, cols] of Object.entries(options.tables ?? {})) schemas.set(lower(t), cols)
  const statements = isObj(ast) && Array.isArray(ast.statements) ? ast.statements : []
  const last: Json = statements[statements.length - 1]
  if (!isObj(ast) || ast.error === true || !isObj(last) || !isObj(last.node)) {
    return { columns: undefined, tables: [] }
  }

  const ctx = { tables, schemas }
  let cols: readonly Col[] | undefined
  try {
    cols = queryNode(last.node, new Map(), ctx)
  } catch (e) {
    if (!(e instanceof Unknown)) throw e
    cols = undefined
  }
  const names = options.outputColumns
  const columns = cols?.map((c, i) => ({
    name: names && names.length === cols.length ? names[i] : c.name,
    inputs: c.sources && toRefs(c.sources),
    transformation: c.transformation,
  }))
  return { columns, tables: [...tables].sort() }
}

interface Ctx {
  readonly tables: Set<string>
  readonly schemas: ReadonlyMap<string, readonly string[]>
}

type Ctes = ReadonlyMap<string, readonly Col[] | undefined>

function toRefs(keys: ReadonlySet<string>): ColumnRef[] {
  return [...keys].sort().map((k) => {
    const [table = '', column = ''] = k.split(KEY_SEP)
    return { table, column }
  })
}

function withCtes(node: Obj, outer: Ctes, ctx: Ctx): Ctes {
  const map = isObj(node.cte_map) && Array.isArray(node.cte_map.map) ? node.cte_map.map : []
  if (map.length === 0) return outer
  const ctes = new Map(outer)
  for (const entry of map) {
    if (!isObj(entry) || !isObj(entry.value)) throw new Unknown()
    const name = lower(str(entry.key))
    const query = entry.value.query
    let cols: readonly Col[] | undefined
    try {
      cols = isObj(query) && isObj(query.node) ? queryNode(query.node, ctes, ctx) : undefined
    } catch (e) {
      if (!(e instanceof Unknown)) throw e
      cols = undefined
    }
    const aliases = Array.isArray(entry.value.aliases) ? entry.value.aliases.map(str) : []
    ctes.set(name, cols && rename(cols, aliases))
  }
  return ctes
}

function rename(cols: readonly Col[], aliases: readonly string[]): readonly Col[] {
  if (aliases.length === 0) return cols
  return cols.map((c, i) => (i < aliases.length ? { ...c, name: aliases[i] } : c))
}

/** The output columns of a query node; throws Unknown when they cannot be known. */
function queryNode(node: Obj, outer: Ctes, ctx: Ctx): readonly Col[] {
  const ctes = withCtes(node, outer, ctx)
  if (node.type === 'SET_OPERATION_NODE') {
    if (!isObj(node.left) || !isObj(node.right)) throw new Unknown()
    const setop = str(node.setop_type)
    if (setop.includes('BY_NAME')) throw new Unknown()
    const left = queryNode(node.left, ctes, ctx)
    const right = queryNode(node.right, ctes, ctx)
    if (left.length !== right.length) throw new Unknown()
    return left.map((l, i) => {
      const r = right[i]!
      const sources = l.sources && r.sources ? new Set([...l.sources, ...r.sources]) : undefined
      const transformation = l.transformation === r.transformation ? l.transformation : undefined
      return { name: l.name, sources, transformation: transformation ?? 'TRANSFORMATION' }
    })
  }
  if (node.type !== 'SELECT_NODE') throw new Unknown()
  const scope = fromClause(node.from_table, ctes, ctx)
  const out: Col[] = []
  const list = Array.isArray(node.select_list) ? node.select_list : []
  for (const expr of list) {
    if (!isObj(expr)) throw new Unknown()
    if (expr.class === 'STAR') {
      out.push(...star(expr, scope))
      continue
    }
    const alias = str(expr.alias)
    const direct = expr.class === 'COLUMN_REF'
    const refs = columnRefs(expr)
    let sources: Set<string> | undefined = new Set()
    if (refs === undefined) sources = undefined
    else {
      for (const ref of refs) {
        const got = resolve(ref, scope, out)
        if (got === undefined) {
          sources = undefined
          break
        }
        for (const k of got) sources.add(k)
      }
    }
    let name: string | undefined = alias || undefined
    if (!name && direct && Array.isArray(expr.column_names)) {
      name = str(expr.column_names[expr.column_names.length - 1])
    }
    let transformation: ColumnTransformation = direct ? 'IDENTITY' : 'TRANSFORMATION'
    if (isAggregate(expr)) transformation = 'AGGREGATION'
    // an identity over a column that was itself computed keeps that column's kind
    if (direct && refs?.length === 1) {
      const inner = resolveCol(refs[0]!, scope)
      if (inner?.transformation && inner.transformation !== 'IDENTITY')
        transformation = inner.transformation
    }
    out.push({ name, sources, transformation: sources ? transformation : undefined })
  }
  return out
}

function isAggregate(expr: Obj): boolean {
  if (expr.class === 'WINDOW') return true
  if (expr.class === 'FUNCTION' && AGGREGATES.has(lower(str(expr.function_name)))) return true
  return false
}

/** Bindings of a FROM clause. */
function fromClause(table: Json, ctes: Ctes, ctx: Ctx): Scope {
  if (!isObj(table) || table.type === 'EMPTY') return { bindings: [], using: new Set() }
  const aliases = Array.isArray(table.column_name_alias) ? table.column_name_alias.map(str) : []
  switch (table.type) {
    case 'BASE_TABLE': {
      const name = str(table.table_name)
      const key = lower(name)
      const bindingName = lower(str(table.alias) || name)
      const schemaName = str(table.schema_name)
      if (!schemaName && ctes.has(key)) {
        const cols = ctes.get(key)
        return {
          bindings: [
            { name: bindingName, columns: cols && rename(cols, aliases), baseTable: undefined },
          ],
          using: new Set(),
        }
      }
      const full = schemaName ? `${schemaName}.${name}` : name
      ctx.tables.add(full)
      const known = ctx.schemas.get(lower(full))
      const columns = known?.map((c, i): Col => ({
        name: aliases[i] ?? c,
        sources: new Set([`${full}${KEY_SEP}${c}`]),
        transformation: 'IDENTITY',
      }))
      return {
        bindings: [{ name: bindingName, columns, baseTable: aliases.length ? undefined : full }],
        using: new Set(),
      }
    }
    case 'SUBQUERY': {
      const sub = table.subquery
      let cols: readonly Col[] | undefined
      try {
        cols = isObj(sub) && isObj(sub.node) ? queryNode(sub.node, ctes, ctx) : undefined
      } catch (e) {
        if (!(e instanceof Unknown)) throw e
        cols = undefined
      }
      return {
        bindings: [
          {
            name: lower(str(table.alias)),
            columns: cols && rename(cols, aliases),
            baseTable: undefined,
          },
        ],
        using: new Set(),
      }
    }
    case 'JOIN': {
      const left = fromClause(table.left, ctes, ctx)
      const right = fromClause(table.right, ctes, ctx)
      const using = new Set([...left.using, ...right.using])
      if (Array.isArray(table.using_columns))
        for (const u of table.using_columns) using.add(lower(str(u)))
      // NATURAL joins merge columns DuckDB picks by name: treat every shared name as USING
      if (table.ref_type === 'NATURAL') throw new Unknown()
      return { bindings: [...left.bindings, ...right.bindings], using }
    }
    default:
      // table functions (read_parquet, range), PIVOT, … : a relation whose columns are unknown
      return {
        bindings: [{ name: lower(str(table.alias)), columns: undefined, baseTable: undefined }],
        using: new Set(),
      }
  }
}

function star(expr: Obj, scope: Scope): Col[] {
  if (expr.columns === true || expr.expr !== null) throw new Unknown()
  if (Array.isArray(expr.replace_list) && expr.replace_list.length > 0) throw new Unknown()
  if (Array.isArray(expr.rename_list) && expr.rename_list.length > 0) throw new Unknown()
  if (Array.isArray(expr.qualified_exclude_list) && expr.qualified_exclude_list.length > 0)
    throw new Unknown()
  const exclude = new Set(
    (Array.isArray(expr.exclude_list) ? expr.exclude_list : []).map((e) => lower(str(e))),
  )
  const relation = lower(str(expr.relation_name))
  const bindings = relation ? scope.bindings.filter((b) => b.name === relation) : scope.bindings
  if (bindings.length === 0) throw new Unknown()
  const out: Col[] = []
  const seenUsing = new Set<string>()
  for (const b of bindings) {
    if (b.columns === undefined) throw new Unknown()
    for (const c of b.columns) {
      const n = lower(c.name ?? '')
      if (exclude.has(n)) continue
      if (!relation && scope.using.has(n)) {
        // SELECT * over a USING join lists the shared column once, from both sides
        if (seenUsing.has(n)) continue
        seenUsing.add(n)
        out.push({ ...c, sources: resolve([n], scope, []) })
        continue
      }
      out.push(c)
    }
  }
  return out
}

/** Column references inside an expression; undefined when the expression hides some (subquery, lambda). */
function columnRefs(expr: Json): string[][] | undefined {
  const refs: string[][] = []
  const walk = (v: Json): boolean => {
    if (Array.isArray(v)) return v.every(walk)
    if (!isObj(v)) return true
    if (v.class === 'SUBQUERY' || v.class === 'LAMBDA' || v.class === 'LAMBDA_REF') return false
    if (v.class === 'STAR') return false
    if (v.class === 'COLUMN_REF') {
      if (!Array.isArray(v.column_names)) return false
      refs.push(v.column_names.map(str))
      return true
    }
    return Object.values(v).every(walk)
  }
  return walk(expr) ? refs : undefined
}

/** The Col an unambiguous reference points to (for its transformation kind). */
function resolveCol(ref: readonly string[], scope: Scope): Col | undefined {
  const name = lower(ref[ref.length - 1] ?? '')
  const candidates =
    ref.length === 2 ? scope.bindings.filter((b) => b.name === lower(ref[0]!)) : scope.bindings
  const hits = candidates.flatMap((b) =>
    (b.columns ?? []).filter((c) => lower(c.name ?? '') === name),
  )
  return hits.length === 1 ? hits[0] : undefined
}

/** Source keys of one column reference, or undefined when it cannot be resolved for sure. */
function resolve(
  ref: readonly string[],
  scope: Scope,
  earlier: readonly Col[],
): ReadonlySet<string> | undefined {
  if (ref.length === 2) {
    const [qualifier = '', column = ''] = ref.map(lower)
    const matches = scope.bindings.filter((b) => b.name === qualifier)
    if (matches.length !== 1) return undefined // a struct field, or an unknown relation
    return fromBinding(matches[0]!, column)
  }
  if (ref.length !== 1) return undefined // schema.table.column or struct fields: not settled
  const column = lower(ref[0]!)
  const { bindings } = scope
  // with a relation of unknown columns, an unqualified name may be its column or an alias
  if (bindings.some((b) => b.columns === undefined)) {
    if (bindings.length !== 1 || lateral(column, earlier) !== undefined) return undefined
    return fromBinding(bindings[0]!, column)
  }
  if (bindings.length === 1) {
    const got = fromBinding(bindings[0]!, column)
    if (got) return got
  } else {
    const having = bindings.filter((b) => b.columns?.some((c) => lower(c.name ?? '') === column))
    if (having.length === 1) return fromBinding(having[0]!, column)
    if (having.length > 1 && scope.using.has(column)) {
      const all = new Set<string>()
      for (const b of having) {
        const got = fromBinding(b, column)
        if (!got) return undefined
        for (const k of got) all.add(k)
      }
      return all
    }
    if (having.length > 1) return undefined
  }
  return lateral(column, earlier)
}

/** DuckDB lets a select item reuse an earlier alias (`select a + 1 as b, b * 2 as c`). */
function lateral(column: string, earlier: readonly Col[]): ReadonlySet<string> | undefined {
  const hits = earlier.filter((c) => lower(c.name ?? '') === column)
  return hits.length === 1 ? hits[0]!.sources : undefined
}

function fromBinding(b: Binding, column: string): ReadonlySet<string> | undefined {
  if (b.columns) {
    const hits = b.columns.filter((c) => lower(c.name ?? '') === column)
    return hits.length === 1 ? hits[0]!.sources : undefined
  }
  if (b.baseTable !== undefined) return new Set([`${b.baseTable}${KEY_SEP}${column}`])
  return undefined
}
