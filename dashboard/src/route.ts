import { useEffect, useState } from 'react'

/** A parsed hash route: `#/runs/r-1?task=x` is `{ parts: ['runs', 'r-1'], query: { task: 'x' } }`. */
export interface Route {
  readonly parts: readonly string[]
  readonly query: URLSearchParams
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '')
  const [path = '', search = ''] = raw.split('?', 2) as [string?, string?]
  return {
    parts: path
      .split('/')
      .filter((p) => p !== '')
      .map((p) => decodeURIComponent(p)),
    query: new URLSearchParams(search),
  }
}

/** `href('runs', id)` → `#/runs/<id>`, with an optional query. */
export function href(...parts: (string | Record<string, string | undefined>)[]): string {
  const path: string[] = []
  let query = ''
  for (const p of parts) {
    if (typeof p === 'string') path.push(encodeURIComponent(p))
    else {
      const s = new URLSearchParams()
      for (const [k, v] of Object.entries(p)) if (v !== undefined && v !== '') s.set(k, v)
      query = s.toString()
    }
  }
  return `#/${path.join('/')}${query === '' ? '' : `?${query}`}`
}

export function navigate(to: string): void {
  window.location.hash = to.replace(/^#/, '')
}

/** The current hash route; re-renders on navigation. */
export function useRoute(): Route {
  const [hash, setHash] = useState(window.location.hash)
  useEffect(() => {
    const on = () => setHash(window.location.hash)
    window.addEventListener('hashchange', on)
    return () => window.removeEventListener('hashchange', on)
  }, [])
  return parseHash(hash)
}
