import { type ReactNode } from 'react'
import type { ApiError } from './api-client.js'
import { localTime, utcTitle } from './format.js'
import { href } from './route.js'

/** A time in the viewer's zone; the UTC instant on hover. */
export function Time({ iso }: { iso: string | null | undefined }) {
  if (iso === null || iso === undefined) return <span className="muted">—</span>
  return (
    <time dateTime={iso} title={utcTitle(iso)}>
      {localTime(iso)}
    </time>
  )
}

export function StateBadge({ state }: { state: string | undefined }) {
  const s = state ?? 'NONE'
  return (
    <span className={`badge state-${s}`} data-state={s}>
      {s}
    </span>
  )
}

/** An error as the API returned it: code, message, hint. */
export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  if (error === undefined || error === null) return null
  const e = error as Partial<ApiError> & { message?: string }
  return (
    <div className="error-box" role="alert">
      {title !== undefined && <strong>{title}: </strong>}
      {e.code !== undefined && <code className="code">{e.code}</code>}{' '}
      <span className="message">
        {e.message ?? (typeof error === 'string' ? error : JSON.stringify(error))}
      </span>
      {e.hint !== undefined && <div className="hint">hint: {e.hint}</div>}
    </div>
  )
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" aria-live="polite">
      loading {what}…
    </p>
  )
}

export function RunLink({ id }: { id: string }) {
  return (
    <a href={href('runs', id)} className="mono">
      {id}
    </a>
  )
}

export function Section({
  title,
  children,
  actions,
}: {
  title: string
  children: ReactNode
  actions?: ReactNode
}) {
  return (
    <section className="card" aria-label={title}>
      <header className="card-head">
        <h2>{title}</h2>
        {actions !== undefined && <div className="actions">{actions}</div>}
      </header>
      {children}
    </section>
  )
}

/** Pretty JSON in a scrollable block. */
export function JsonBlock({ value }: { value: unknown }) {
  return <pre className="json">{JSON.stringify(value, null, 2)}</pre>
}
