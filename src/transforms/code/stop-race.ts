/** Awaits a promise unless the run is stopped first (then rejects with the stop reason). */
export type StopRace = <T>(p: Promise<T>) => Promise<T>

/**
 * A StopRace for `signal`: like `Promise.race([p, stopped])`, but it removes its listener when
 * `p` settles, so a long run does not keep one reaction (and its value) per awaited batch.
 */
export function stopRace(signal: AbortSignal): StopRace {
  return (p) =>
    new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason as Error)
      const onStop = (): void => reject(signal.reason as Error)
      signal.addEventListener('abort', onStop, { once: true })
      p.then(
        (v) => {
          signal.removeEventListener('abort', onStop)
          resolve(v)
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onStop)
          reject(e instanceof Error ? e : new Error(String(e)))
        },
      )
    })
}
