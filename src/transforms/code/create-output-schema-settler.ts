import { SluiceError } from '../../core/sluice-error.js'
import type { Column, ColumnType, TableSchema, Value } from '../../data/column-type.js'
import { columnarRowBatch, type ColumnarRowBatch } from '../../data/duckdb/columnar-row-batch.js'
import { castValue } from '../../data/types/cast-value.js'
import { describeValue } from '../../data/types/describe-value.js'
import { formatColumnType } from '../../data/types/format-column-type.js'
import { inferColumnType } from '../../data/types/infer-column-type.js'

/** Gives every output batch of a code transform one and the same schema. */
export interface OutputSchemaSettler {
  /** The declared or settled schema; undefined until the first output row. */
  current(): TableSchema | undefined
  /**
   * One output chunk (a vector of `rowCount` values per name in `columns`; converted in place) as
   * a batch of the settled schema, column-major (`vectors`; its `rows` are built when read).
   */
  toBatch(columns: readonly string[], vectors: Value[][], rowCount: number): ColumnarRowBatch
}

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

/** Whether a value already is in the JS form of the type (the fast path; else castValue). */
function fits(v: Value, type: ColumnType): boolean {
  switch (type.kind) {
    case 'string':
      return typeof v === 'string'
    case 'float64':
      return typeof v === 'number'
    case 'int32':
      return typeof v === 'number' && (v | 0) === v
    case 'int64':
      return typeof v === 'bigint' && v >= INT64_MIN && v <= INT64_MAX
    case 'boolean':
      return typeof v === 'boolean'
    case 'binary':
      return v instanceof Uint8Array
    default:
      return false
  }
}

function settle(
  columns: readonly string[],
  vectors: readonly (readonly Value[])[],
  input: TableSchema | undefined,
): TableSchema {
  return {
    columns: columns.map((name, i): Column => {
      const samples = vectors[i] ?? []
      const upstream = input?.columns.find((c) => c.name === name)?.type
      if (upstream && samples.every((v) => v === null || castValue(v, upstream).ok)) {
        return { name, type: upstream, nullable: true }
      }
      const type = inferColumnType(samples, { parseStrings: false }).type
      // a JS number is a double: whole numbers in the first batch say nothing about later ones
      return { name, type: type.kind === 'int32' ? { kind: 'float64' } : type, nullable: true }
    }),
  }
}

/**
 * A settler for the output of one transform run. The schema is `declared` when given; otherwise
 * it is settled by the first output chunk with a row: columns in order of first appearance; a
 * column whose name is an input column keeps the input type when every value of that chunk casts
 * to it (so decimals, dates and timestamps passed through stay typed), else the type is inferred
 * from the JS values (inferColumnType without parsing strings; it widens across the rows of that
 * chunk; a JS number is float64, whole or not, since a double that is whole in the first batch
 * may not be later; bigint is int64). Inferred columns are all nullable, since later rows
 * may lack them.
 *
 * Later chunks are held to that schema: a missing value is NULL; a value not already in the
 * type's JS form is cast exactly (castValue: a number into an int64 column becomes a bigint);
 * a value that does not cast, a NULL in a declared NOT NULL column, or a column that was not
 * there when the schema was settled fails with E_SCHEMA_DRIFT, whose hint says to declare the
 * output columns.
 *
 * `settled` is a schema settled elsewhere (by another settler of the same run, from its first
 * chunk: parallel workers of one transform share it); chunks are held to it as to a settled one.
 */
export function createOutputSchemaSettler(
  declared: TableSchema | undefined,
  inputSchema: () => TableSchema | undefined,
  taskId: string,
  settled?: TableSchema,
): OutputSchemaSettler {
  let schema = declared ?? settled
  const drift = (what: string, column: string): SluiceError =>
    new SluiceError('E_SCHEMA_DRIFT', `transform task ${taskId} output: ${what}`, {
      task: taskId,
      hint: declared
        ? `fix the transform or the declared schema for column "${column}"`
        : `declare the output columns (columns: { ${column}: type } on the task), or return every column from the first output batch on`,
    })

  function convert(v: Value | undefined, col: Column): Value {
    if (v === null || v === undefined) {
      if (!col.nullable)
        throw drift(`column "${col.name}" is NOT NULL but a row has NULL`, col.name)
      return null
    }
    if (fits(v, col.type)) return v
    const cast = castValue(v, col.type)
    if (cast.ok) return cast.value
    throw drift(
      `column "${col.name}" is ${formatColumnType(col.type)}${declared ? '' : ' (settled by the first output batch)'} but a row has ${describeValue(v)}: ${cast.reason}`,
      col.name,
    )
  }

  return {
    current: () => schema,
    toBatch(columns, vectors, rowCount) {
      const settled = (schema ??= settle(columns, vectors, inputSchema()))
      const position = new Map<string, number>()
      columns.forEach((name, j) => {
        const at =
          settled.columns[j]?.name === name ? j : settled.columns.findIndex((c) => c.name === name)
        if (at < 0) {
          throw drift(
            declared
              ? `column "${name}" is not declared`
              : `column "${name}" appeared after the schema was settled by the first output batch`,
            name,
          )
        }
        position.set(settled.columns[at]!.name, j)
      })
      const out = settled.columns.map((col): Value[] => {
        const j = position.get(col.name)
        const values = j === undefined ? undefined : vectors[j]
        if (values === undefined) {
          if (!col.nullable && rowCount > 0)
            throw drift(`column "${col.name}" is NOT NULL but a row has NULL`, col.name)
          return new Array<Value>(rowCount).fill(null)
        }
        const { type } = col
        for (let r = 0; r < rowCount; r++) {
          const v = values[r]
          if (v === null || v === undefined || !fits(v, type)) values[r] = convert(v, col)
        }
        return values
      })
      return columnarRowBatch(settled, out, rowCount)
    },
  }
}
