import { SluiceError } from '../../core/sluice-error.js'
import { didYouMean } from '../../core/suggest.js'
import { TYPE_KINDS, type ColumnType, type TypeKind } from '../column-type.js'

/** Largest decimal precision (as in PostgreSQL's numeric limits of DuckDB and most warehouses). */
const MAX_PRECISION = 38
/** `decimal` / `numeric` without arguments. */
const DEFAULT_DECIMAL = { precision: 38, scale: 9 } as const

const ALIASES: Readonly<Record<string, Exclude<TypeKind, 'decimal'>>> = {
  boolean: 'boolean',
  bool: 'boolean',
  int32: 'int32',
  int: 'int32',
  integer: 'int32',
  int4: 'int32',
  smallint: 'int32',
  int2: 'int32',
  tinyint: 'int32',
  mediumint: 'int32',
  serial: 'int32',
  int64: 'int64',
  bigint: 'int64',
  int8: 'int64',
  long: 'int64',
  bigserial: 'int64',
  float64: 'float64',
  double: 'float64',
  'double precision': 'float64',
  float: 'float64',
  float8: 'float64',
  float4: 'float64',
  real: 'float64',
  string: 'string',
  text: 'string',
  varchar: 'string',
  'character varying': 'string',
  char: 'string',
  character: 'string',
  nvarchar: 'string',
  nchar: 'string',
  clob: 'string',
  uuid: 'string',
  date: 'date',
  timestamp: 'timestamp',
  datetime: 'timestamp',
  'timestamp without time zone': 'timestamp',
  timestamptz: 'timestamptz',
  'timestamp with time zone': 'timestamptz',
  json: 'json',
  jsonb: 'json',
  binary: 'binary',
  varbinary: 'binary',
  bytea: 'binary',
  blob: 'binary',
  bytes: 'binary',
}

/** Aliases that accept one length/precision argument, which the logical type does not keep. */
const WITH_LENGTH = new Set([
  'varchar',
  'character varying',
  'char',
  'character',
  'nvarchar',
  'nchar',
  'string',
  'binary',
  'varbinary',
  'float',
  'timestamp',
  'timestamptz',
  'timestamp with time zone',
  'timestamp without time zone',
  'datetime',
])

const VALID = TYPE_KINDS.map((k) => (k === 'decimal' ? 'decimal(p,s)' : k)).join(', ')

function invalid(message: string): SluiceError {
  return new SluiceError('E_SCHEMA_VALUE', message, {
    hint: `valid types: ${VALID}; aliases such as bigint, integer, double, text, varchar(n), bool, timestamp with time zone, jsonb, bytea are accepted`,
  })
}

/**
 * Reads a column type written by a user or reported by a database: the canonical names of
 * formatColumnType, common SQL aliases (case and spacing do not matter), `decimal(p,s)`,
 * `numeric(p)` (scale 0), bare `decimal` / `numeric` (decimal(38,9)), and length arguments such as
 * `varchar(255)` or `timestamp(6) with time zone` (the length is dropped). Unsigned and unknown
 * types throw SluiceError E_SCHEMA_VALUE with the valid names and a did-you-mean.
 */
export function parseColumnType(text: string): ColumnType {
  const norm = text
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/ ?([(),]) ?/g, '$1')
  const dec = /^(?:decimal|numeric|dec)(?:\((\d+)(?:,(\d+))?\))?$/.exec(norm)
  if (dec) {
    if (dec[1] === undefined) return { kind: 'decimal', ...DEFAULT_DECIMAL }
    const precision = Number(dec[1])
    const scale = Number(dec[2] ?? 0)
    if (precision < 1 || precision > MAX_PRECISION) {
      throw invalid(
        `decimal precision ${precision} is out of range 1–${MAX_PRECISION} in \`${text}\``,
      )
    }
    if (scale > precision) {
      throw invalid(
        `decimal scale ${scale} is larger than its precision ${precision} in \`${text}\``,
      )
    }
    return { kind: 'decimal', precision, scale }
  }
  let name = norm
  const arg = /^([a-z][a-z0-9 ]*)\(\d+\)([a-z ]*)$/.exec(norm)
  if (arg) {
    name = [arg[1] ?? '', arg[2] ?? '']
      .map((p) => p.trim())
      .filter(Boolean)
      .join(' ')
    if (ALIASES[name] !== undefined && !WITH_LENGTH.has(name)) {
      throw invalid(`column type \`${name}\` takes no length argument (in \`${text}\`)`)
    }
  }
  const kind = ALIASES[name]
  if (kind !== undefined && (arg === null || WITH_LENGTH.has(name))) return { kind }
  const suggestion = didYouMean(name, [...Object.keys(ALIASES), 'decimal', 'numeric'])
  throw invalid(
    `unknown column type \`${text}\`${suggestion === undefined ? '' : `; ${suggestion}`}`,
  )
}
