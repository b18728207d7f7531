import { z } from 'zod'
import { durationSchema } from '../../core/spec/duration-schema.js'

/** Options of a `sqlite:PATH` connection (beside `url:`). */
export const sqliteConnectionOptions = z.object({
  wal: z.boolean().optional().describe('journal_mode=WAL with synchronous=NORMAL. Default true.'),
  busy_timeout: durationSchema.optional().describe('Wait this long for a lock. Default 5s.'),
  readonly: z.boolean().optional().describe('Open read-only. Default false.'),
  pool: z.number().int().min(1).optional().describe('Ignored: SQLite has one writer.'),
})

export type SqliteConnectionOptions = z.infer<typeof sqliteConnectionOptions>
