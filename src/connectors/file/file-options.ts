import { z } from 'zod'
import { TYPE_KINDS } from '../../data/column-type.js'

const COLUMN_KINDS = TYPE_KINDS

const csvRead = z.object({
  delimiter: z.string().min(1).max(4).optional(),
  header: z.boolean().optional(),
  quote: z.string().max(1).optional(),
  escape: z.string().max(1).optional(),
  null: z.string().optional().describe('Text that means NULL. Without it, "" stays "" in text.'),
  skip: z.number().int().min(0).optional(),
  encoding: z.enum(['utf-8', 'utf8', 'utf-16', 'latin-1', 'latin1']).optional(),
})

const csvWrite = csvRead.omit({ skip: true, encoding: true })

/** The `source:` keys the file connector accepts. */
export const fileSourceOptions = z.object({
  path: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  format: z.enum(['csv', 'json', 'jsonl', 'parquet']).optional(),
  compression: z.enum(['auto', 'none', 'gzip', 'zstd']).optional(),
  csv: csvRead.optional(),
  /** Declared column types (`decimal` means decimal(38,9)); others are detected. */
  columns: z.record(z.string(), z.enum(COLUMN_KINDS)).optional(),
  batch_size: z.number().int().min(1).max(10_000_000).optional(),
  on_error: z.enum(['fail', 'skip', 'quarantine']).optional(),
  max_bad_rows: z.number().int().min(0).optional(),
  /** Add the source file's path as a column (`filename`, or the name given). */
  filename: z.union([z.boolean(), z.string().min(1)]).optional(),
  /** Match columns by name across files instead of by position. */
  union_by_name: z.boolean().optional(),
  /**
   * Load each file once: `column: modified` takes files changed after the last loaded one,
   * `column: name` files whose path sorts after it (dated file names).
   */
  incremental: z
    .object({ column: z.enum(['modified', 'name']) })
    .loose()
    .optional(),
})

/** The `destination:` keys the file connector accepts. */
export const fileDestinationOptions = z.object({
  path: z.string().min(1),
  format: z.enum(['csv', 'json', 'jsonl', 'parquet']).optional(),
  compression: z.enum(['auto', 'none', 'gzip', 'zstd', 'snappy']).optional(),
  csv: csvWrite.optional(),
  /** `replace` and `truncate_insert` mean `overwrite`. Default: the task's mode, else overwrite. */
  mode: z.enum(['overwrite', 'append', 'error_if_exists', 'replace', 'truncate_insert']).optional(),
  partition_by: z.array(z.string().min(1)).min(1).optional(),
})

export type FileSourceOptions = z.infer<typeof fileSourceOptions>
export type FileDestinationOptions = z.infer<typeof fileDestinationOptions>
