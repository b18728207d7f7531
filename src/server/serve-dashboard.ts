import { readFile, stat } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Hono } from 'hono'

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
}

/** Paths the API owns: never answered with the dashboard's index.html. */
const API_PATH = /^\/(api(\/|$)|healthz$|readyz$|metrics$)/

/** Where `npm run build:dashboard` writes the assets: `<package root>/dist/dashboard`. */
export function defaultDashboardDir(): string {
  // this file is src/server/serve-dashboard.ts in a checkout and dist/server/serve-dashboard.js
  // when published: both are two levels below the package root
  return fileURLToPath(new URL('../../dist/dashboard/', import.meta.url))
}

const MISSING_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sluice</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>sluice</h1>
<p>The dashboard is not built. Run <code>npm run build:dashboard</code> and reload this page.</p>
<p>The API is at <a href="/api/v1">/api/v1</a>.</p>
</body></html>
`

/**
 * Serves the built dashboard (a single-page app) from `dir` on GET/HEAD: files with their content
 * type, hashed files under `/assets/` cached as immutable, and `index.html` (never cached) for
 * every other path that is not an API path, so client routes survive a reload. Without a build it
 * answers a short page saying how to build it. Register it after the API routes.
 */
export function serveDashboard(app: Hono, dir: string = defaultDashboardDir()): void {
  const root = normalize(dir.endsWith(sep) ? dir : dir + sep)
  // middleware, not a route: it only runs when no API route answered first
  app.use('*', async (c, next) => {
    const path = c.req.path
    if ((c.req.method !== 'GET' && c.req.method !== 'HEAD') || API_PATH.test(path)) return next()
    let rel: string
    try {
      rel = decodeURIComponent(path)
    } catch {
      rel = '/'
    }
    const file = normalize(join(root, rel))
    if (file.startsWith(root) && file !== root && !rel.endsWith('/')) {
      const body = await readIfFile(file)
      if (body !== undefined) {
        const immutable = rel.startsWith('/assets/')
        return c.body(new Uint8Array(body), 200, {
          'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
          'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
          'x-content-type-options': 'nosniff',
        })
      }
      // a missing hashed asset is a 404, not the app shell
      if (rel.startsWith('/assets/')) return c.text('not found', 404)
    }
    const index = await readIfFile(join(root, 'index.html'))
    return c.html(index === undefined ? MISSING_PAGE : index.toString('utf8'), 200, {
      'cache-control': 'no-cache',
    })
  })
}

async function readIfFile(file: string): Promise<Buffer | undefined> {
  try {
    if (!(await stat(file)).isFile()) return undefined
    return await readFile(file)
  } catch {
    return undefined
  }
}
