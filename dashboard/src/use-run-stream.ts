import { useEffect, useRef } from 'react'
import { api } from './api-client.js'

/**
 * Live updates of a running run over SSE: the log follow stream of the run (`log` events while
 * it runs, `end` when it finishes) calls `onChange` (at most every 300 ms) so the page refetches.
 */
export function useRunStream(runId: string, active: boolean, onChange: () => void): void {
  const cb = useRef(onChange)
  cb.current = onChange
  useEffect(() => {
    if (!active || typeof EventSource === 'undefined') return
    const es = new EventSource(api.logStreamUrl(runId))
    let timer: ReturnType<typeof setTimeout> | undefined
    const kick = () => {
      timer ??= setTimeout(() => {
        timer = undefined
        cb.current()
      }, 300)
    }
    es.addEventListener('log', kick)
    es.addEventListener('end', () => {
      es.close()
      cb.current()
    })
    // the server closes the stream at the end; no reconnect loop after that
    es.onerror = () => es.close()
    return () => {
      es.close()
      if (timer !== undefined) clearTimeout(timer)
    }
  }, [runId, active])
}
