import { watch, type FSWatcher } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'

/** A file that landed and stopped growing. */
export interface FileArrival {
  readonly path: string
  readonly size: number
  readonly mtimeMs: number
  /** `path:mtimeMs:size`: the same file rewritten (new mtime or size) is a new event (EVT-05). */
  readonly dedupeKey: string
}

export interface FileTriggerOptions {
  /** The folder to watch (not recursive). */
  readonly dir: string
  /** Glob on the file name: `*` and `?` (e.g. `*.csv`); default every file. Dot-files never match. */
  readonly pattern?: string
  readonly onFile: (file: FileArrival) => void | Promise<void>
  /**
   * Cross-process dedupe, e.g. `(key) => store.claimTriggerKey(pipeline, key, new Date())`:
   * false means another process (or an earlier run of this one) already took the file.
   */
  readonly claim?: (dedupeKey: string) => Promise<boolean>
  /** Quiet time after a change before the folder is looked at; default 100 ms. */
  readonly debounceMs?: number
  /** The size and mtime must be equal this long apart before the file fires; default 200 ms. */
  readonly stableMs?: number
  /** Polling fallback (fs.watch misses events on some filesystems); default 1000 ms. */
  readonly pollMs?: number
  /** Files already there at start fire too (default true). */
  readonly includeExisting?: boolean
  readonly onError?: (error: unknown) => void
}

export interface FileTrigger {
  /** Resolves after the first scan. */
  readonly ready: Promise<void>
  close(): void
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('')
    .map((c) => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('')
  return new RegExp(`^${body}$`)
}

/**
 * Watches a folder (fs.watch plus a polling fallback) and calls `onFile` once per file version:
 * after a debounce, a file fires when its size and mtime did not change for `stableMs`, keyed by
 * path + mtime + size, so a file still being written waits and a rewritten file fires again.
 * With the defaults a file fires about 0.3 s after its last write (well under 1 s).
 */
export function fileTrigger(options: FileTriggerOptions): FileTrigger {
  const match = globToRegExp(options.pattern ?? '*')
  const debounce = options.debounceMs ?? 100
  const stable = options.stableMs ?? 200
  const seen = new Set<string>()
  /** Last observed (size, mtime) per path and since when. */
  const pending = new Map<string, { sig: string; since: number }>()
  let closed = false
  let scanning = false
  let again = false
  let debounceTimer: ReturnType<typeof setTimeout> | undefined
  let recheckTimer: ReturnType<typeof setTimeout> | undefined
  const report = (e: unknown) => options.onError?.(e)

  const scan = async (): Promise<void> => {
    if (closed) return
    if (scanning) {
      again = true
      return
    }
    scanning = true
    try {
      const names = (await readdir(options.dir)).filter((n) => !n.startsWith('.') && match.test(n))
      const now = Date.now()
      let waiting = false
      for (const path of pending.keys()) {
        if (!names.some((n) => join(options.dir, n) === path)) pending.delete(path)
      }
      for (const name of names) {
        const path = join(options.dir, name)
        const st = await stat(path).catch(() => undefined)
        if (!st?.isFile()) continue
        const key = `${path}:${st.mtimeMs}:${st.size}`
        if (seen.has(key)) continue
        const before = pending.get(path)
        if (!before || before.sig !== key) {
          pending.set(path, { sig: key, since: now })
          waiting = true
          continue
        }
        if (now - before.since < stable) {
          waiting = true
          continue
        }
        seen.add(key)
        pending.delete(path)
        if (options.claim && !(await options.claim(key))) continue
        await options.onFile({ path, size: st.size, mtimeMs: st.mtimeMs, dedupeKey: key })
      }
      if (waiting && !closed) {
        clearTimeout(recheckTimer)
        recheckTimer = setTimeout(() => void scan(), stable)
      }
    } catch (e) {
      report(e)
    } finally {
      scanning = false
      if (again && !closed) {
        again = false
        void scan()
      }
    }
  }

  const kick = () => {
    clearTimeout(debounceTimer)
    debounceTimer = setTimeout(() => void scan(), debounce)
  }

  let watcher: FSWatcher | undefined
  try {
    watcher = watch(options.dir, { persistent: false }, kick)
    watcher.on('error', report)
  } catch (e) {
    report(e) // polling still works
  }
  const poll = setInterval(() => void scan(), options.pollMs ?? 1000)
  poll.unref()

  const ready = (async () => {
    if (options.includeExisting === false) {
      const names = await readdir(options.dir).catch(() => [] as string[])
      for (const name of names) {
        const st = await stat(join(options.dir, name)).catch(() => undefined)
        if (st) seen.add(`${join(options.dir, name)}:${st.mtimeMs}:${st.size}`)
      }
    }
    await scan()
  })()

  return {
    ready,
    close() {
      closed = true
      clearTimeout(debounceTimer)
      clearTimeout(recheckTimer)
      clearInterval(poll)
      watcher?.close()
    },
  }
}
