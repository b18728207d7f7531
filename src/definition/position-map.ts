/** A location in the source text, 1-based, and how the scalar there was written. */
export interface Position {
  readonly line: number
  readonly col: number
  /** PLAIN, QUOTE_DOUBLE, QUOTE_SINGLE, BLOCK_LITERAL, BLOCK_FOLDED (yaml's scalar types). */
  readonly style?: string
  /** For block scalars: the 1-based column where the content lines start. */
  readonly contentCol?: number
}

export type PathSegment = string | number

/** `tasks.load.depends_on[0]`; keys that are not identifiers are quoted. */
export function pathToString(path: readonly PathSegment[]): string {
  let out = ''
  for (const seg of path) out = appendPath(out, seg)
  return out
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/

/** One more segment on a path string (cheaper than rebuilding it from an array). */
export function appendPath(path: string, seg: PathSegment): string {
  if (typeof seg === 'number') return `${path}[${seg}]`
  if (IDENT.test(seg)) return path === '' ? seg : `${path}.${seg}`
  return `${path}[${JSON.stringify(seg)}]`
}

/** Where each value and each mapping key of a parsed file sits. */
export class PositionMap {
  private readonly values = new Map<string, Position>()
  private readonly keys = new Map<string, Position>()

  /** `path` is a path string (see pathToString). */
  setValue(path: string, pos: Position): void {
    this.values.set(path, pos)
  }

  setKey(path: string, pos: Position): void {
    this.keys.set(path, pos)
  }

  /** The value at `path`, else the closest ancestor that has a position. */
  value(path: readonly PathSegment[]): Position | undefined {
    for (let n = path.length; n >= 0; n--) {
      const p = this.values.get(pathToString(path.slice(0, n)))
      if (p) return p
    }
    return undefined
  }

  /** The key at `path`, falling back to its value or an ancestor. */
  key(path: readonly PathSegment[]): Position | undefined {
    return this.keys.get(pathToString(path)) ?? this.value(path)
  }

  /** The position of character `offset` inside the string value at `path`. */
  inString(path: readonly PathSegment[], text: string, offset: number): Position | undefined {
    const p = this.values.get(pathToString(path))
    if (!p) return this.value(path)
    const before = text.slice(0, offset)
    const nl = before.lastIndexOf('\n')
    if (p.style === 'BLOCK_LITERAL') {
      // a literal block keeps its lines: line k of the value is line k+1 after the indicator
      const lines = before.split('\n').length - 1
      return { line: p.line + 1 + lines, col: (p.contentCol ?? p.col + 2) + (offset - nl - 1) }
    }
    if (nl !== -1) return p // escapes and folding make value lines differ from source lines
    const quoted = p.style === 'QUOTE_DOUBLE' || p.style === 'QUOTE_SINGLE' ? 1 : 0
    return { line: p.line, col: p.col + quoted + offset }
  }
}
