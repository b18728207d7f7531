import { useCallback, useEffect, useRef, useState } from 'react'

export interface Loaded<T> {
  readonly data: T | undefined
  readonly error: Error | undefined
  readonly loading: boolean
  readonly reload: () => void
}

/**
 * Loads `fn()` when `deps` change, and again every `pollMs` while `poll` says so (live pages).
 * A reload keeps the old data on screen until the new answer arrives.
 */
export function useApi<T>(
  fn: () => Promise<T>,
  deps: readonly unknown[],
  options: { readonly pollMs?: number; readonly poll?: (data: T | undefined) => boolean } = {},
): Loaded<T> {
  const [data, setData] = useState<T>()
  const [error, setError] = useState<Error>()
  const [loading, setLoading] = useState(true)
  const [tick, setTick] = useState(0)
  const fnRef = useRef(fn)
  fnRef.current = fn
  const reload = useCallback(() => setTick((t) => t + 1), [])
  const key = JSON.stringify(deps)
  const lastKey = useRef(key)

  useEffect(() => {
    let live = true
    if (lastKey.current !== key) {
      lastKey.current = key
      setData(undefined)
    }
    setLoading(true)
    fnRef.current().then(
      (d) => {
        if (!live) return
        setData(d)
        setError(undefined)
        setLoading(false)
      },
      (e: unknown) => {
        if (!live) return
        setError(e instanceof Error ? e : new Error(String(e)))
        setLoading(false)
      },
    )
    return () => {
      live = false
    }
  }, [key, tick])

  const { pollMs, poll } = options
  const polling = pollMs !== undefined && (poll === undefined || poll(data))
  useEffect(() => {
    if (!polling) return
    const t = setInterval(reload, pollMs)
    return () => clearInterval(t)
  }, [polling, pollMs, reload])

  return { data, error, loading, reload }
}
