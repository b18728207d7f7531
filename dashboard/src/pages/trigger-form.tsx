import { useState, type FormEvent } from 'react'
import { api, type ApiJsonObject, type ApiParamDecl, type ApiParamValue } from '../api-client.js'
import { href, navigate } from '../route.js'
import { useApi } from '../use-api.js'
import { ErrorBox, Loading } from '../widgets.js'

interface Field {
  readonly name: string
  readonly type: string
  readonly default: ApiParamValue | undefined
  readonly required: boolean
  readonly description: string | undefined
  readonly values: readonly (string | number | boolean | null)[] | undefined
}

/** A declaration as a form field: a bare value is a default whose type it implies. */
function fieldOf(name: string, decl: ApiParamDecl): Field {
  if (decl !== null && typeof decl === 'object' && !Array.isArray(decl)) {
    const type = decl.type ?? inferType(decl.default)
    return {
      name,
      type,
      default: decl.default,
      required: decl.required ?? decl.default === undefined,
      description: decl.description,
      values: decl.values,
    }
  }
  return {
    name,
    type: inferType(decl),
    default: decl,
    required: false,
    description: undefined,
    values: undefined,
  }
}

function inferType(v: ApiParamValue | undefined): string {
  if (Array.isArray(v)) return 'list'
  if (typeof v === 'boolean') return 'boolean'
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number'
  return 'string'
}

function convert(raw: string, type: string): ApiParamValue {
  switch (type) {
    case 'integer':
    case 'number':
      return Number(raw)
    case 'boolean':
      return raw === 'true'
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
    default:
      return raw
  }
}

const INPUT_TYPE: Record<string, string> = {
  integer: 'number',
  number: 'number',
  date: 'date',
  timestamp: 'datetime-local',
}

/** A form generated from the pipeline's `params`: one field per param, typed by its declaration. */
export function TriggerForm({ pipeline, onDone }: { pipeline: string; onDone?: () => void }) {
  const detail = useApi(() => api.pipeline(pipeline), [pipeline])
  const [values, setValues] = useState<Record<string, string>>({})
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  if (detail.error) return <ErrorBox error={detail.error} />
  if (!detail.data) return <Loading what="params" />
  const fields = Object.entries(detail.data.spec.params ?? {}).map(([n, d]) => fieldOf(n, d))
  const set = (name: string, v: string) => setValues({ ...values, [name]: v })
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      const body: ApiJsonObject = {}
      for (const f of fields) {
        const raw = values[f.name]
        if (raw === undefined || raw === '') continue
        body[f.name] = convert(f.type === 'timestamp' ? new Date(raw).toISOString() : raw, f.type)
      }
      const { runId } = await api.trigger(pipeline, body)
      onDone?.()
      navigate(href('runs', runId))
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <form
      className="trigger-form"
      onSubmit={(e) => void submit(e)}
      aria-label={`trigger ${pipeline}`}
    >
      {fields.length === 0 && <p className="muted">This pipeline declares no params.</p>}
      {fields.map((f) => (
        <label key={f.name} className="field">
          <span>
            {f.name}
            {f.required && ' *'} <span className="muted small">{f.type}</span>
          </span>
          {f.type === 'boolean' || f.values !== undefined ? (
            <select
              name={f.name}
              value={values[f.name] ?? ''}
              onChange={(e) => set(f.name, e.target.value)}
            >
              <option value="">
                (default{f.default !== undefined ? `: ${JSON.stringify(f.default)}` : ''})
              </option>
              {(f.values ?? [true, false]).map((v) => (
                <option key={String(v)} value={String(v)}>
                  {String(v)}
                </option>
              ))}
            </select>
          ) : (
            <input
              name={f.name}
              type={INPUT_TYPE[f.type] ?? 'text'}
              step={f.type === 'number' ? 'any' : undefined}
              placeholder={
                f.default !== undefined
                  ? JSON.stringify(f.default)
                  : f.type === 'list'
                    ? 'a, b, c'
                    : ''
              }
              required={f.required}
              value={values[f.name] ?? ''}
              onChange={(e) => set(f.name, e.target.value)}
            />
          )}
          {f.description !== undefined && <span className="muted small">{f.description}</span>}
        </label>
      ))}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          Start run
        </button>
        {onDone && (
          <button type="button" onClick={onDone}>
            Close
          </button>
        )}
      </div>
      <ErrorBox error={error} title="trigger failed" />
    </form>
  )
}
