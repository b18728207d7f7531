/** SQL dialects whose quoting rules the splitter knows. */
export type SqlDialect = 'postgres' | 'mysql' | 'sqlite' | 'duckdb'

/** One statement of a script: its text (no trailing `;`) and where it starts in the script. */
export interface SqlStatement {
  readonly text: string
  /** 0-based offset of the statement's first character in the script. */
  readonly offset: number
  /** 1-based line of that character. */
  readonly line: number
}

/**
 * Splits a script on the `;` that end statements, skipping those inside quotes ('…', "…", `…`
 * for MySQL, $tag$…$tag$ for PostgreSQL), comments (`--`, `/* *\/`, `#` for MySQL) and
 * parentheses. Statements that hold only whitespace and comments are dropped.
 */
export function splitSqlStatements(script: string, dialect: SqlDialect): SqlStatement[] {
  const out: SqlStatement[] = []
  const mysql = dialect === 'mysql'
  let i = 0
  let code = false // the current statement has something besides comments and blanks
  let first = -1 // offset of its first code character
  const push = (end: number) => {
    if (code && first !== -1) {
      const text = script.slice(first, end).trimEnd()
      out.push({ text, offset: first, line: lineAt(script, first) })
    }
    code = false
    first = -1
  }
  const mark = (at: number) => {
    if (first === -1) first = at
    code = true
  }
  let depth = 0
  while (i < script.length) {
    const ch = script[i]!
    const next = script[i + 1]
    if (ch === '-' && next === '-') {
      i = endOfLine(script, i)
      continue
    }
    if (mysql && ch === '#') {
      i = endOfLine(script, i)
      continue
    }
    if (ch === '/' && next === '*') {
      const end = script.indexOf('*/', i + 2)
      i = end === -1 ? script.length : end + 2
      continue
    }
    if (ch === "'" || ch === '"' || (mysql && ch === '`')) {
      mark(i)
      i = endOfQuoted(script, i, ch, mysql && ch !== '`')
      continue
    }
    if (ch === '$' && dialect === 'postgres') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(script.slice(i, i + 64))?.[0]
      if (tag !== undefined && !/[A-Za-z0-9_]/.test(script[i - 1] ?? ' ')) {
        mark(i)
        const end = script.indexOf(tag, i + tag.length)
        i = end === -1 ? script.length : end + tag.length
        continue
      }
    }
    if (ch === '(') depth++
    else if (ch === ')') depth = Math.max(0, depth - 1)
    if (ch === ';' && depth === 0) {
      push(i)
      i++
      continue
    }
    if (!/\s/.test(ch)) mark(i)
    i++
  }
  push(script.length)
  return out
}

function endOfLine(s: string, i: number): number {
  const nl = s.indexOf('\n', i)
  return nl === -1 ? s.length : nl
}

/** Index just past the closing quote (doubled quotes, and backslash escapes where they apply). */
function endOfQuoted(s: string, i: number, q: string, backslash: boolean): number {
  let j = i + 1
  while (j < s.length) {
    const c = s[j]!
    if (backslash && c === '\\') {
      j += 2
      continue
    }
    if (c === q) {
      if (s[j + 1] === q) {
        j += 2
        continue
      }
      return j + 1
    }
    j++
  }
  return s.length
}

/** 1-based line of `offset` in `text`. */
export function lineAt(text: string, offset: number): number {
  let n = 1
  for (let k = text.indexOf('\n'); k !== -1 && k < offset; k = text.indexOf('\n', k + 1)) n++
  return n
}
