import type { ColumnType } from '../../data/column-type.js'

/** Precision and scale used for an unconstrained PostgreSQL `numeric` (as dlt does). */
const DEFAULT_DECIMAL = { kind: 'decimal', precision: 38, scale: 9 } as const

/** OIDs of the built-in types this connector maps (pg_type.oid, stable across versions). */
const OID = {
  bool: 16,
  bytea: 17,
  char: 18,
  name: 19,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  oid: 26,
  json: 114,
  xml: 142,
  float4: 700,
  float8: 701,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  interval: 1186,
  timetz: 1266,
  numeric: 1700,
  uuid: 2950,
  jsonb: 3802,
} as const

const BY_NAME: Readonly<Record<string, ColumnType>> = {
  bool: { kind: 'boolean' },
  boolean: { kind: 'boolean' },
  int2: { kind: 'int32' },
  smallint: { kind: 'int32' },
  int4: { kind: 'int32' },
  integer: { kind: 'int32' },
  int: { kind: 'int32' },
  oid: { kind: 'int64' },
  int8: { kind: 'int64' },
  bigint: { kind: 'int64' },
  float4: { kind: 'float64' },
  real: { kind: 'float64' },
  float8: { kind: 'float64' },
  'double precision': { kind: 'float64' },
  date: { kind: 'date' },
  timestamp: { kind: 'timestamp' },
  'timestamp without time zone': { kind: 'timestamp' },
  timestamptz: { kind: 'timestamptz' },
  'timestamp with time zone': { kind: 'timestamptz' },
  json: { kind: 'json' },
  jsonb: { kind: 'json' },
  bytea: { kind: 'binary' },
}

/**
 * PostgreSQL types ↔ the logical types of DESIGN.md §2. Everything without a logical counterpart
 * (text, varchar, char, uuid, time, interval, inet, arrays, enums, …) travels as its text form, a
 * `string`. An unconstrained `numeric` becomes decimal(38,9) (values stay exact strings; only a
 * table created from that schema gets numeric(38,9)).
 */
export const postgresTypes = {
  OID,
  DEFAULT_DECIMAL,

  /** The logical type of a result column, from its type OID and type modifier. */
  fromOid(oid: number, typmod = -1): ColumnType {
    switch (oid) {
      case OID.bool:
        return { kind: 'boolean' }
      case OID.int2:
      case OID.int4:
        return { kind: 'int32' }
      case OID.int8:
      case OID.oid:
        return { kind: 'int64' }
      case OID.float4:
      case OID.float8:
        return { kind: 'float64' }
      case OID.numeric:
        return postgresTypes.decimalFromTypmod(typmod)
      case OID.date:
        return { kind: 'date' }
      case OID.timestamp:
        return { kind: 'timestamp' }
      case OID.timestamptz:
        return { kind: 'timestamptz' }
      case OID.json:
      case OID.jsonb:
        return { kind: 'json' }
      case OID.bytea:
        return { kind: 'binary' }
      default:
        return { kind: 'string' }
    }
  },

  /** numeric(p,s) from its typmod: ((p << 16) | s) + 4; -1 means unconstrained. */
  decimalFromTypmod(typmod: number): ColumnType {
    if (typmod < 4) return DEFAULT_DECIMAL
    const t = typmod - 4
    return { kind: 'decimal', precision: (t >> 16) & 0xffff, scale: t & 0xffff }
  },

  /**
   * The logical type of a declared type as `format_type()` prints it (`integer`,
   * `numeric(12,2)`, `character varying(20)`, `timestamp(3) with time zone`).
   */
  fromName(formatted: string): ColumnType {
    const name = formatted.trim().toLowerCase()
    if (name.endsWith('[]')) return { kind: 'string' }
    const num = /^(?:numeric|decimal)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?$/.exec(name)
    if (num) {
      if (num[1] === undefined) return DEFAULT_DECIMAL
      return { kind: 'decimal', precision: Number(num[1]), scale: Number(num[2] ?? 0) }
    }
    // drop a precision modifier: timestamp(3) with time zone → timestamp with time zone
    const bare = name.replace(/\s*\(\s*\d+\s*\)/, '')
    return BY_NAME[bare] ?? { kind: 'string' }
  },

  /** The type to declare in CREATE TABLE / ALTER TABLE for a logical type. */
  toDdl(type: ColumnType): string {
    switch (type.kind) {
      case 'boolean':
        return 'boolean'
      case 'int32':
        return 'integer'
      case 'int64':
        return 'bigint'
      case 'float64':
        return 'double precision'
      case 'decimal':
        return `numeric(${type.precision},${type.scale})`
      case 'string':
        return 'text'
      case 'date':
        return 'date'
      case 'timestamp':
        return 'timestamp(6) without time zone'
      case 'timestamptz':
        return 'timestamp(6) with time zone'
      case 'json':
        return 'jsonb'
      case 'binary':
        return 'bytea'
    }
  },

  /** A short readable name of a logical type: `decimal(12,2)`, `int64`. */
  describe(type: ColumnType): string {
    return type.kind === 'decimal' ? `decimal(${type.precision},${type.scale})` : type.kind
  },
}
