/** A JSON value, as stored with quality results. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** The outcome of one quality check over one dataset. */
export interface CheckResult {
  readonly name: string
  /** The check key: `not_null`, `unique`, `freshness`, … */
  readonly type: string
  readonly severity: 'error' | 'warn'
  readonly status: 'pass' | 'fail'
  /** Failing rows; for row_count and freshness 1 when failing, else 0. */
  readonly failing: number
  /** Rows checked (the dataset's row count). */
  readonly total: number
  /** Up to `sampleRows` failing rows, JSON-safe (int64 → string, binary → base64). */
  readonly sample: Record<string, Json>[]
  /** One line saying what was found, e.g. "3 of 100 rows have NULL in amount". */
  readonly message: string
  readonly durationMs: number
}
