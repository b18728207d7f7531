import type { TransformOp, TransformOpName } from '../../core/spec/transform-op-schema.js'

/** The options of one op kind: `OpOptions<'scale'>` is what follows `scale:`. */
export type OpOptions<K extends TransformOpName> = TransformOp extends infer T
  ? T extends Record<K, infer V>
    ? V
    : never
  : never

/** A relation an op reads: a table/view name or `(subquery)`, inserted as written, and its columns. */
export interface OpInput {
  readonly sql: string
  readonly columns: readonly string[]
}

/** What one op compiler sees: where it is in the list, its input stage, and a way to add stages. */
export interface OpScope {
  /** Position in the ops list (for messages: `ops[3] rename: …`). */
  readonly index: number
  /** The op key (`rename`). */
  readonly name: string
  /** The input stage: a CTE name, already quoted, holding `columns` plus the row-number column. */
  readonly from: string
  /** The user-visible columns of `from`, in order. */
  readonly columns: readonly string[]
  /** Adds a CTE with this SELECT and returns its name (for the next stage's FROM). */
  readonly stage: (select: string) => string
  /** Another dataset by name (join), or undefined. */
  readonly relation: (name: string) => OpInput | undefined
  /** The names of the datasets `relation` knows (for messages). */
  readonly relationNames: readonly string[]
}

/** What an op compiler returns: its output stage, its columns, and maybe a fitted-parameters query. */
export interface OpOutput {
  readonly from: string
  readonly columns: string[]
  /** A SELECT over `scope.from` (and earlier stages) returning one row of fitted parameters. */
  readonly fitted?: string
}
