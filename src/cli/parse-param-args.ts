import { SluiceError } from '../core/sluice-error.js'

/** `--param k=v` (repeatable) into a record; the value stays a string and is typed by the declaration. */
export function parseParamArgs(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const v of values) {
    const eq = v.indexOf('=')
    if (eq <= 0)
      throw new SluiceError('E_USAGE', `--param ${v}: expected name=value`, {
        hint: 'e.g. --param day=2026-01-31',
      })
    out[v.slice(0, eq).trim()] = v.slice(eq + 1)
  }
  return out
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value]
}
