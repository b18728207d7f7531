import { SluiceError } from '../../core/sluice-error.js'
import type { ColumnType, Value } from '../../data/column-type.js'

const ESCAPES: Readonly<Record<string, string>> = {
  '\0': '\\0',
  '\n': '\\n',
  '\r': '\\r',
  '\b': '\\b',
  '\t': '\\t',
  '\x1a': '\\Z',
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
}
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[\0\n\r\b\t\x1a\\'"]/g
const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

function quote(s: string): string {
  return `'${s.replace(NEEDS_ESCAPE, (c) => ESCAPES[c]!)}'`
}

function hex(v: Uint8Array): string {
  return `X'${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}'`
}

function timeText(s: string): string {
  // 'YYYY-MM-DDTHH:MM:SS[.ffffff][Z]' → 'YYYY-MM-DD HH:MM:SS[.ffffff]' (the session is UTC)
  return s.replace('T', ' ').replace(/(Z|[+-]00:?00)$/, '')
}

function str(r: unknown): string {
  if (typeof r === 'string') return r
  if (typeof r === 'number' || typeof r === 'bigint' || typeof r === 'boolean') return String(r)
  if (r instanceof Uint8Array) return Buffer.from(r).toString('utf8')
  return JSON.stringify(r)
}

function toUint8(v: unknown): Uint8Array {
  const b = v as Buffer
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}

/**
 * Values between JS and MySQL: `literal` renders a value as SQL text (strings escaped with
 * backslashes, which every pooled session enables; binary as X'…'; numbers checked);
 * `reader` converts what mysql2 returns (with bigNumberStrings, dateStrings, jsonStrings) to
 * sluice's value conventions.
 */
export const mysqlValues = {
  literal(v: Value | undefined, t: ColumnType): string {
    if (v === null || v === undefined) return 'NULL'
    if (typeof v === 'string') {
      switch (t.kind) {
        case 'timestamp':
        case 'timestamptz':
          return quote(timeText(v))
        case 'int32':
        case 'int64':
        case 'float64':
        case 'decimal':
          if (NUMERIC.test(v)) return v
          return quote(v)
        default:
          return quote(v)
      }
    }
    if (typeof v === 'bigint') return v.toString()
    if (typeof v === 'boolean') return v ? '1' : '0'
    if (typeof v === 'number') {
      if (!Number.isFinite(v))
        throw new SluiceError('E_TASK_FAILED', `MySQL cannot store the number ${v}`, {
          retryable: false,
        })
      return String(v)
    }
    if (v instanceof Uint8Array) return hex(v)
    throw new SluiceError('E_TASK_FAILED', `unsupported value of type ${typeof v}`, {
      retryable: false,
    })
  },

  /** A converter from a mysql2 text-protocol value to a sluice value. */
  reader(t: ColumnType): (raw: unknown) => Value {
    switch (t.kind) {
      case 'boolean':
        return (r) => (r === null || r === undefined ? null : Number(r) !== 0)
      case 'int32':
      case 'float64':
        return (r) => (r === null || r === undefined ? null : typeof r === 'number' ? r : Number(r))
      case 'int64':
        return (r) =>
          r === null || r === undefined
            ? null
            : typeof r === 'bigint'
              ? r
              : BigInt(typeof r === 'number' ? Math.trunc(r) : str(r))
      case 'date':
        return (r) => (r === null || r === undefined ? null : str(r).slice(0, 10))
      case 'timestamp':
        return (r) => (r === null || r === undefined ? null : str(r).replace(' ', 'T'))
      case 'timestamptz':
        return (r) => (r === null || r === undefined ? null : `${str(r).replace(' ', 'T')}Z`)
      case 'binary':
        return (r) =>
          r === null || r === undefined
            ? null
            : r instanceof Uint8Array
              ? toUint8(r)
              : new TextEncoder().encode(str(r))
      case 'json':
        return (r) =>
          r === null || r === undefined
            ? null
            : typeof r === 'string'
              ? r
              : r instanceof Uint8Array
                ? Buffer.from(r).toString('utf8')
                : JSON.stringify(r)
      default:
        return (r) =>
          r === null || r === undefined
            ? null
            : typeof r === 'string'
              ? r
              : r instanceof Uint8Array
                ? Buffer.from(r).toString('utf8')
                : str(r)
    }
  },
}
