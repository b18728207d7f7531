import { SluiceError } from '../../core/sluice-error.js'

/** Sleeps `ms`, or throws E_CANCELLED when `signal` aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new SluiceError('E_CANCELLED', 'HTTP request cancelled'))
      return
    }
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(new SluiceError('E_CANCELLED', 'HTTP request cancelled'))
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
