import type { CustomTypesConfig } from 'pg'

const identity = (v: string): string => v

const TS = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?([+-]\d\d(?::?\d\d){0,2})?$/

function fraction(f: string | undefined): string {
  return f === undefined || /^0+$/.test(f) ? '' : `.${f.padEnd(6, '0')}`
}

/** 'YYYY-MM-DD HH:MM:SS[.f]' → 'YYYY-MM-DDTHH:MM:SS[.ffffff]'. */
function parseTimestamp(v: string): string {
  const m = TS.exec(v)
  if (!m) return v // infinity, BC dates: keep the server's text
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${fraction(m[7])}`
}

/** '… +HH[:MM[:SS]]' → the same instant in UTC as 'YYYY-MM-DDTHH:MM:SS[.ffffff]Z'. */
function parseTimestamptz(v: string): string {
  const m = TS.exec(v)
  if (!m || m[8] === undefined) return v
  const off = m[8]
  const sign = off.startsWith('-') ? -1 : 1
  const [h = '0', mi = '0', s = '0'] = off.slice(1).split(':')
  const offsetSec = sign * (Number(h) * 3600 + Number(mi) * 60 + Number(s))
  let date = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`
  if (offsetSec !== 0) {
    const d = new Date(0)
    d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]))
    d.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]) - offsetSec)
    date = d.toISOString().slice(0, 19)
  }
  return `${date}${fraction(m[7])}Z`
}

function parseBytea(v: string): Uint8Array {
  if (v.startsWith('\\x')) return new Uint8Array(Buffer.from(v.slice(2), 'hex'))
  // escape format (bytea_output=escape): octal escapes and doubled backslashes
  const out: number[] = []
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i)
    if (c === 92 && v[i + 1] === '\\') {
      out.push(92)
      i++
    } else if (c === 92) {
      out.push(parseInt(v.slice(i + 1, i + 4), 8))
      i += 3
    } else out.push(c)
  }
  return new Uint8Array(out)
}

const TEXT_PARSERS: Readonly<Record<number, (v: string) => unknown>> = {
  16: (v) => v === 't', // bool
  17: parseBytea,
  20: (v) => BigInt(v), // int8
  21: Number, // int2
  23: Number, // int4
  26: (v) => BigInt(v), // oid
  700: Number, // float4 (NaN, Infinity, -Infinity parse too)
  701: Number,
  1114: parseTimestamp,
  1184: parseTimestamptz,
}

/**
 * Per-connection type parsers (never pg's global ones) that produce the lossless JS values of
 * `column-type.ts`: int8 → bigint, numeric → string, date → 'YYYY-MM-DD', timestamps → ISO text
 * with microseconds, json/jsonb → text, bytea → Uint8Array, everything else → the server's text.
 * They assume the session settings of `postgresConnection` (DateStyle ISO, bytea_output hex).
 */
export const postgresTypeParsers: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if (format === 'binary') return (v: Buffer) => v
    return TEXT_PARSERS[oid] ?? identity
  }) as CustomTypesConfig['getTypeParser'],
}
