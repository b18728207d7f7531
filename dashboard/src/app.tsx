import { useEffect, useState, type FormEvent } from 'react'
import { getToken, onAuthNeeded, setToken } from './api-client.js'
import { viewerZone } from './format.js'
import { DataPage } from './pages/data-page.js'
import { LogsPage } from './pages/logs-page.js'
import { OperationsPage } from './pages/operations-page.js'
import { PipelinePage } from './pages/pipeline-page.js'
import { PipelinesPage } from './pages/pipelines-page.js'
import { RunPage } from './pages/run-page.js'
import { RunsPage } from './pages/runs-page.js'
import { href, useRoute, type Route } from './route.js'

type Theme = 'light' | 'dark'
const THEME_KEY = 'sluice.theme'

function initialTheme(): Theme {
  const saved = localStorage.getItem(THEME_KEY)
  if (saved === 'light' || saved === 'dark') return saved
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'
}

function Page({ route }: { route: Route }) {
  const [a, b, c] = route.parts
  if (a === undefined || a === 'pipelines') {
    if (b !== undefined) return <PipelinePage key={b} name={b} runParam={route.query.get('run')} />
    return <PipelinesPage />
  }
  if (a === 'runs') {
    if (b !== undefined && c === 'logs') return <LogsPage key={b} id={b} query={route.query} />
    if (b !== undefined) return <RunPage key={b} id={b} />
    return <RunsPage query={route.query} />
  }
  if (a === 'data') return <DataPage query={route.query} />
  if (a === 'operations') return <OperationsPage />
  return (
    <main>
      <h1>Not found</h1>
      <p>
        No page at <code>{window.location.hash}</code>. <a href={href('pipelines')}>Pipelines</a>
      </p>
    </main>
  )
}

const NAV = [
  ['pipelines', 'Pipelines'],
  ['runs', 'Runs'],
  ['data', 'Data'],
  ['operations', 'Operations'],
] as const

/** The dashboard: header (navigation, token, theme) and the page of the hash route. */
export function App() {
  const route = useRoute()
  const [theme, setTheme] = useState<Theme>(initialTheme)
  const [asking, setAsking] = useState(false)
  const [hasToken, setHasToken] = useState(getToken() !== '')
  const [draft, setDraft] = useState('')

  useEffect(() => {
    document.documentElement.dataset.theme = theme
  }, [theme])
  useEffect(() => onAuthNeeded(() => setAsking(true)), [])

  const section = route.parts[0] ?? 'pipelines'
  const saveToken = (e: FormEvent) => {
    e.preventDefault()
    setToken(draft.trim())
    setHasToken(draft.trim() !== '')
    setDraft('')
    setAsking(false)
  }

  return (
    <>
      <a className="skip" href="#content">
        Skip to content
      </a>
      <header className="top">
        <a className="brand" href={href('pipelines')}>
          sluice
        </a>
        <nav aria-label="main">
          {NAV.map(([k, label]) => (
            <a key={k} href={href(k)} aria-current={section === k ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <span className="spacer" />
        <span className="muted small" title="times are shown in this zone; hover a time for UTC">
          {viewerZone()}
        </span>
        <button type="button" onClick={() => setAsking(true)} aria-label="API token">
          {hasToken ? 'Token ✓' : 'Token'}
        </button>
        <button
          type="button"
          onClick={() => {
            const next = theme === 'dark' ? 'light' : 'dark'
            localStorage.setItem(THEME_KEY, next)
            setTheme(next)
          }}
          aria-label={`switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
        >
          {theme === 'dark' ? '☀ Light' : '☾ Dark'}
        </button>
      </header>
      {asking && (
        <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="token-title">
          <form onSubmit={saveToken}>
            <h2 id="token-title">API token</h2>
            <p>
              This server needs a token for changes (trigger, cancel, resume, requeue…): the one{' '}
              <code>sluice serve</code> was started with (<code>--token</code> or{' '}
              <code>SLUICE_API_TOKEN</code>). It is kept in this browser until you choose “Forget
              token”.
            </p>
            <label className="field">
              <span>Token</span>
              <input
                type="password"
                name="token"
                autoFocus
                autoComplete="off"
                value={draft}
                onChange={(e) => setDraft(e.target.value)}
              />
            </label>
            <div className="actions">
              <button type="submit" className="primary">
                Save token
              </button>
              {hasToken && (
                <button
                  type="button"
                  onClick={() => {
                    setToken('')
                    setHasToken(false)
                    setAsking(false)
                  }}
                >
                  Forget token
                </button>
              )}
              <button type="button" onClick={() => setAsking(false)}>
                Cancel
              </button>
            </div>
          </form>
        </div>
      )}
      <div id="content">
        <Page route={route} />
      </div>
    </>
  )
}
