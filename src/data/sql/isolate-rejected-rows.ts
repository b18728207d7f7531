import { SluiceError } from '../../core/sluice-error.js'

export interface IsolateRows {
  /**
   * Writes rows `lo` to `hi - 1` (ordinals of the load, the caller's numbering) all or nothing;
   * resolves with the rows written, throws when the database refuses any of them.
   */
  tryRange(lo: number, hi: number): Promise<number>
  /** Whether the database refused the rows (constraint, value) rather than failing otherwise. */
  isRowError(e: unknown): boolean
  /** Records one refused row. */
  reject(row: number, error: unknown): Promise<void>
  /** More refused rows than this (counting `before`) fail the load with `E_ROWS_REJECTED`. */
  readonly max: number
  /** Rows of the same load already set aside by earlier calls. */
  readonly before?: number
  /** For messages: where the rows go. */
  readonly target: string
}

/**
 * Finds the rows a database refuses in a range whose write already failed (with `failure`), by bisection: each
 * half is written all or nothing; a failing half is split again down to single rows, which are
 * set aside. k bad rows among n cost about 2·k·log2(n/k) writes, and good rows are written once.
 * Resolves with the rows written and rejected; stops at once when more than `max` are refused.
 */
export async function isolateRejectedRows(
  lo: number,
  hi: number,
  failure: unknown,
  how: IsolateRows,
): Promise<{ written: number; rejected: number }> {
  let written = 0
  let rejected = 0
  const before = how.before ?? 0
  const settle = async (a: number, b: number, failure?: unknown): Promise<void> => {
    if (failure === undefined) {
      try {
        written += await how.tryRange(a, b)
        return
      } catch (e) {
        if (!how.isRowError(e)) throw e
        failure = e
      }
    }
    if (b - a === 1) {
      rejected++
      if (before + rejected > how.max)
        throw new SluiceError(
          'E_ROWS_REJECTED',
          `${how.target} refused more than max_bad_rows (${how.max}) rows; row ${a}: ${errorText(failure)}`,
          {
            row: a,
            hint: 'fix the rows (they are listed in the rejects), or raise max_bad_rows',
            cause: failure,
          },
        )
      await how.reject(a, failure)
      return
    }
    const mid = a + Math.floor((b - a) / 2)
    await settle(a, mid)
    await settle(mid, b)
  }
  if (hi > lo) await settle(lo, hi, failure)
  return { written, rejected }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
