import { SluiceError } from '../../core/sluice-error.js'
import type { HttpSourceSpec } from '../../core/spec/http-io-schema.js'
import { jsonPathFirst } from './json-path.js'
import { linkNext } from './link-next.js'

/**
 * Where the next page is, as JSON (it is the checkpoint): `page` counts the pages read before it;
 * `offset`, `number`, `cursor` or `url` say how to ask for it (absent on the first page).
 */
export interface PageState {
  readonly page: number
  readonly offset?: number
  readonly number?: number
  readonly cursor?: string
  readonly url?: string
}

/**
 * One pagination style of `source.http.pagination`: the request of a page, and from its response
 * the next page or the end. A cursor or next URL that comes back again fails with
 * E_HTTP_PAGINATION_LOOP (the server would loop forever).
 */
export class HttpPaginator {
  private readonly seen = new Set<string>()

  constructor(
    private readonly spec: HttpSourceSpec,
    private readonly where: string,
  ) {}

  start(): PageState {
    const p = this.spec.pagination
    if (p?.type === 'offset') return { page: 0, offset: p.start ?? 0 }
    if (p?.type === 'page') return { page: 0, number: p.start ?? 1 }
    return { page: 0 }
  }

  /** The URL of the page at `state`: `first` (path and params) with the paging parameters. */
  url(state: PageState, first: URL): URL {
    if (state.url !== undefined) return new URL(state.url)
    const url = new URL(first)
    const p = this.spec.pagination
    if (p?.type === 'offset') {
      url.searchParams.set(p.offset_param ?? 'offset', String(state.offset ?? p.start ?? 0))
      url.searchParams.set(p.limit_param ?? 'limit', String(p.limit ?? 100))
    } else if (p?.type === 'page') {
      url.searchParams.set(p.page_param ?? 'page', String(state.number ?? p.start ?? 1))
      if (p.size !== undefined) url.searchParams.set(p.size_param ?? 'size', String(p.size))
    } else if (p?.type === 'cursor' && state.cursor !== undefined) {
      url.searchParams.set(p.cursor_param ?? 'cursor', state.cursor)
    }
    return url
  }

  /**
   * The page after `state`, given its response (`url` it was fetched from, `body`, `headers`) and
   * how many records it held; undefined when it was the last.
   */
  next(
    state: PageState,
    res: { url: string; body: unknown; headers: Headers },
    count: number,
  ): PageState | undefined {
    const p = this.spec.pagination
    const page = state.page + 1
    switch (p?.type) {
      case undefined:
        return undefined
      case 'offset': {
        if (count === 0 || count < (p.limit ?? 100)) return undefined
        return { page, offset: (state.offset ?? 0) + count }
      }
      case 'page': {
        if (count === 0 || (p.size !== undefined && count < p.size)) return undefined
        return { page, number: (state.number ?? p.start ?? 1) + 1 }
      }
      case 'cursor': {
        const c = jsonPathFirst(res.body, p.cursor_path)
        if (c === undefined || c === null || c === '' || c === false) return undefined
        if (typeof c !== 'string' && typeof c !== 'number')
          throw new SluiceError(
            'E_HTTP_RESPONSE',
            `${this.where}: the cursor at ${p.cursor_path} is ${Array.isArray(c) ? 'an array' : typeof c}, not a string or number`,
            { hint: 'point cursor_path at the next-cursor value' },
          )
        const cursor = String(c)
        this.remember(
          `cursor ${cursor}`,
          state.cursor === undefined ? undefined : `cursor ${state.cursor}`,
        )
        return { page, cursor }
      }
      case 'link_header':
      case 'next_url': {
        let next: string | undefined
        if (p.type === 'link_header') next = linkNext(res.headers.get('link'), res.url)
        else {
          const v = jsonPathFirst(res.body, p.next_url_path)
          if (v === undefined || v === null || v === '' || v === false) return undefined
          if (typeof v !== 'string')
            throw new SluiceError(
              'E_HTTP_RESPONSE',
              `${this.where}: the next URL at ${p.next_url_path} is not a string`,
            )
          try {
            next = new URL(v, res.url).toString()
          } catch {
            throw new SluiceError('E_HTTP_RESPONSE', `${this.where}: the next URL is not a URL`)
          }
        }
        if (next === undefined) return undefined
        this.remember(`url ${next}`, `url ${res.url}`)
        return { page, url: next }
      }
    }
  }

  /** Fails when `key` (the next cursor or URL) was already read. */
  private remember(key: string, current: string | undefined): void {
    if (current !== undefined) this.seen.add(current)
    if (this.seen.has(key))
      throw new SluiceError(
        'E_HTTP_PAGINATION_LOOP',
        `${this.where}: the server sent the ${key.startsWith('url') ? 'next URL' : 'cursor'} of a page already read (${key.slice(key.indexOf(' ') + 1).slice(0, 200)}); stopping instead of looping`,
        {
          hint: 'check the pagination settings (cursor_path, next_url_path) and the API; a server bug repeats cursors',
        },
      )
    this.seen.add(key)
  }
}
