const WS = /[ \t\n\r]*/y
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
// eslint-disable-next-line no-control-regex -- JSON strings forbid raw control characters
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y
const LITERAL = /true|false|null/y
const MAX_DEPTH = 512

/**
 * Validates JSON text and returns it compact (no insignificant whitespace, escapes in strings
 * normalised). Number literals are kept digit for digit, so 12345678901234567890 stays exact; key
 * order and duplicate keys are kept. Returns `{ ok: false, reason }` for invalid JSON.
 */
export function normalizeJsonText(
  text: string,
): { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: string } {
  let pos = 0
  const out: string[] = []
  const fail = (what: string): never => {
    throw new JsonSyntax(`${what} at offset ${pos}`)
  }
  const skip = (): void => {
    WS.lastIndex = pos
    WS.exec(text)
    pos = WS.lastIndex
  }
  const token = (re: RegExp): string | undefined => {
    re.lastIndex = pos
    const m = re.exec(text)
    if (!m) return undefined
    pos = re.lastIndex
    return m[0]
  }
  const value = (depth: number): void => {
    if (depth > MAX_DEPTH) fail('nested too deeply')
    skip()
    const c = text[pos]
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']'
      out.push(c)
      pos++
      skip()
      if (text[pos] === close) {
        out.push(close)
        pos++
        return
      }
      for (;;) {
        if (c === '{') {
          skip()
          const key = token(STRING) ?? fail('expected a string key')
          out.push(JSON.stringify(JSON.parse(key)), ':')
          skip()
          if (text[pos] !== ':') fail('expected `:`')
          pos++
        }
        value(depth + 1)
        skip()
        if (text[pos] === ',') {
          out.push(',')
          pos++
          continue
        }
        if (text[pos] === close) {
          out.push(close)
          pos++
          return
        }
        fail(`expected \`,\` or \`${close}\``)
      }
    }
    if (c === '"') {
      const s = token(STRING) ?? fail('invalid string')
      out.push(JSON.stringify(JSON.parse(s)))
      return
    }
    const t = token(NUMBER) ?? token(LITERAL) ?? fail('unexpected character')
    out.push(t)
  }
  try {
    value(0)
    skip()
    if (pos !== text.length) fail('unexpected text after the value')
    return { ok: true, text: out.join('') }
  } catch (e) {
    if (e instanceof JsonSyntax) return { ok: false, reason: `invalid JSON: ${e.message}` }
    throw e
  }
}

class JsonSyntax extends Error {}
