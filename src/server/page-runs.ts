import { SluiceError } from '../core/sluice-error.js'
import type { RunRecord } from '../state/records.js'

/** One page of runs, newest first; `nextCursor` is null on the last page. */
export interface RunPage {
  readonly runs: readonly RunRecord[]
  readonly nextCursor: string | null
}

export interface PageRequest {
  readonly limit: number
  readonly offset?: number
  /** From a previous page's `nextCursor`; wins over `offset`. */
  readonly cursor?: string
}

/**
 * Pages runs that `fetchNewest(n)` returns newest first (created_at DESC, id DESC, as the store
 * lists them). A cursor is the position after the last run of a page (its createdAt and id), so
 * runs created meanwhile neither repeat nor shift later pages; `offset` is the simple alternative.
 * The store has no "older than" filter, so a cursor page asks for more rows until it has enough.
 */
export async function pageRuns(
  fetchNewest: (n: number) => Promise<readonly RunRecord[]>,
  page: PageRequest,
): Promise<RunPage> {
  const { limit } = page
  let older: readonly RunRecord[]
  if (page.cursor !== undefined) {
    const key = decodeCursor(page.cursor)
    let n = Math.max(2 * (limit + 1), 64)
    for (;;) {
      const rows = await fetchNewest(n)
      older = rows.filter((r) => isBefore(r, key))
      if (older.length > limit || rows.length < n) break
      n *= 4
    }
  } else {
    const offset = page.offset ?? 0
    older = (await fetchNewest(offset + limit + 1)).slice(offset)
  }
  const runs = older.slice(0, limit)
  const last = runs[runs.length - 1]
  return {
    runs,
    nextCursor: older.length > limit && last ? encodeCursor(last) : null,
  }
}

interface CursorKey {
  readonly createdAt: string
  readonly id: string
}

function isBefore(r: RunRecord, key: CursorKey): boolean {
  return r.createdAt < key.createdAt || (r.createdAt === key.createdAt && r.id < key.id)
}

function encodeCursor(r: RunRecord): string {
  return Buffer.from(JSON.stringify([r.createdAt, r.id]), 'utf8').toString('base64url')
}

function decodeCursor(cursor: string): CursorKey {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string')
      return { createdAt: v[0], id: v[1] }
  } catch {
    // fall through
  }
  throw new SluiceError('E_BAD_REQUEST', `invalid cursor "${cursor.slice(0, 40)}"`, {
    hint: 'pass the nextCursor of a previous page unchanged, or use offset instead',
  })
}
