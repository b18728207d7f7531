import { describe, expect, it } from 'vitest'
import {
  MysqlConnection,
  mysqlTableName,
  mysqlValues,
  quoteMysqlIdent,
} from '../../../../src/connectors/mysql/index.js'
import { sqlWatermark } from '../../../../src/data/sql/sql-watermark.js'

// Pure helpers of the MySQL connector (no server needed).
describe('mysql connector helpers', () => {
  it('parses URLs, pool size and TLS modes', () => {
    const c = new MysqlConnection({
      name: 'w',
      url: 'mariadb://app:p%40ss@db.example:3307/ware%20house?ssl-mode=REQUIRED',
      options: { pool: 7 },
    })
    expect(c.poolOptions).toMatchObject({
      host: 'db.example',
      port: 3307,
      user: 'app',
      password: 'p@ss',
      database: 'ware house',
      connectionLimit: 7,
      ssl: { rejectUnauthorized: false },
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      timezone: 'Z',
    })
    expect(c.mask.mask('failed for p@ss')).toBe('failed for ***')
    const v = new MysqlConnection({
      name: 'v',
      url: 'mysql://u@h/d',
      options: { ssl: { ca: 'PEM', rejectUnauthorized: true } },
    })
    expect(v.poolOptions.ssl).toEqual({ ca: 'PEM', rejectUnauthorized: true })
    expect(
      new MysqlConnection({ name: 'x', url: 'mysql://h', options: {} }).poolOptions,
    ).toMatchObject({
      port: 3306,
      connectionLimit: 4,
    })
    expect(
      new MysqlConnection({ name: 'x', url: 'mysql://h/d?sslmode=verify_identity', options: {} })
        .poolOptions.ssl,
    ).toEqual({ rejectUnauthorized: true })
    expect(() => new MysqlConnection({ name: 'x', url: 'postgres://h/d', options: {} })).toThrow(
      /not a mysql/,
    )
  })

  it('quotes identifiers and parses table names', () => {
    expect(quoteMysqlIdent('a`b')).toBe('`a``b`')
    expect(() => quoteMysqlIdent('')).toThrow()
    expect(() => quoteMysqlIdent('a\0b')).toThrow()
    expect(() => quoteMysqlIdent('x'.repeat(65))).toThrow()
    expect(mysqlTableName('db.t')).toMatchObject({ database: 'db', table: 't', sql: '`db`.`t`' })
    expect(mysqlTableName('`my.db`.`t``x`')).toMatchObject({ database: 'my.db', table: 't`x' })
    expect(mysqlTableName('"a"')).toMatchObject({ database: undefined, table: 'a' })
    for (const bad of ['a.b.c', 'a.', '.a', 'a`b', '`a', ''])
      expect(() => mysqlTableName(bad)).toThrow(/invalid table name/)
  })

  it('renders literals safely', () => {
    const s = { kind: 'string' } as const
    expect(mysqlValues.literal('a\'b\\c\0\n"\x1a', s)).toBe("'a\\'b\\\\c\\0\\n\\\"\\Z'")
    expect(mysqlValues.literal('', s)).toBe("''")
    expect(mysqlValues.literal(null, s)).toBe('NULL')
    expect(mysqlValues.literal(12n, { kind: 'int64' })).toBe('12')
    expect(mysqlValues.literal('1 OR 1=1', { kind: 'int64' })).toBe("'1 OR 1=1'")
    expect(mysqlValues.literal('-12.5e3', { kind: 'decimal', precision: 9, scale: 2 })).toBe(
      '-12.5e3',
    )
    expect(mysqlValues.literal(true, { kind: 'boolean' })).toBe('1')
    expect(mysqlValues.literal(new Uint8Array([0, 255]), { kind: 'binary' })).toBe("X'00ff'")
    expect(mysqlValues.literal('2024-01-02T03:04:05.5Z', { kind: 'timestamptz' })).toBe(
      "'2024-01-02 03:04:05.5'",
    )
    expect(() => mysqlValues.literal(Number.NaN, { kind: 'float64' })).toThrow()
  })

  it('moves time watermarks back by a lookback, keeping their layout', () => {
    expect(sqlWatermark.minus('2024-05-01T12:00:00.000000', 3 * 3_600_000)).toBe(
      '2024-05-01T09:00:00',
    )
    expect(sqlWatermark.minus('2024-05-01 00:00:00.000250', 1)).toBe('2024-04-30 23:59:59.99925')
    expect(sqlWatermark.minus('2024-03-01', 60_000)).toBe('2024-02-29')
    expect(sqlWatermark.minus('2024-03-01T00:00:00Z', 1000)).toBe('2024-02-29T23:59:59Z')
    expect(sqlWatermark.minus('17', 1000)).toBeUndefined()
    expect(sqlWatermark.parse({ value: 5, key: [1, 'a'] })).toEqual({
      value: '5',
      key: ['1', 'a'],
    })
    expect(sqlWatermark.parse(undefined)).toBeUndefined()
  })
})
