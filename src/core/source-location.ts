/** Where in a pipeline file something is: 1-based line and column. */
export interface SourceLocation {
  readonly file?: string
  readonly line?: number
  readonly col?: number
  /** Dotted path inside the definition, e.g. `tasks.load.depends_on[0]`. */
  readonly path?: string
}

/** `file:line:col`, or as much of it as is known. */
export function formatLocation(loc: SourceLocation): string {
  const parts: string[] = []
  if (loc.file !== undefined) parts.push(loc.file)
  if (loc.line !== undefined) parts.push(String(loc.line), String(loc.col ?? 1))
  const head = parts.join(':')
  if (head === '') return loc.path ?? ''
  return head
}
