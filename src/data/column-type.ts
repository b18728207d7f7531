import { COLUMN_TYPES } from '../core/spec/io-schema.js'

/** The logical types of DESIGN.md §2. Every connector maps its native types to and from these. */
/** The logical type names; the pipeline format (core) owns the list. */
export const TYPE_KINDS = COLUMN_TYPES
export type TypeKind = (typeof TYPE_KINDS)[number]

export type ColumnType =
  | { readonly kind: Exclude<TypeKind, 'decimal'> }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number }

export interface Column {
  readonly name: string
  readonly type: ColumnType
  readonly nullable: boolean
}

/** An ordered list of columns. */
export interface TableSchema {
  readonly columns: readonly Column[]
}

/**
 * How values travel in JS, losslessly:
 * boolean → boolean; int32, float64 → number; int64 → bigint (never a lossy number);
 * decimal → string ("12.340"); string → string; date → "YYYY-MM-DD";
 * timestamp → "YYYY-MM-DDTHH:MM:SS[.ffffff]" (no zone; meant as UTC);
 * timestamptz → "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" (normalised to UTC);
 * json → the JSON text; binary → Uint8Array. NULL is null (never undefined; "" stays "").
 */
export type Value = null | boolean | number | bigint | string | Uint8Array
