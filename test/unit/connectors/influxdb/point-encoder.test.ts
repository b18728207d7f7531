import { describe, expect, it } from 'vitest'
import { PointEncoder } from '../../../../src/connectors/influxdb/point-encoder.js'
import type { Column, ColumnType, TableSchema } from '../../../../src/data/column-type.js'

const col = (name: string, kind: ColumnType['kind']): Column => ({
  name,
  type: kind === 'decimal' ? { kind, precision: 10, scale: 2 } : { kind },
  nullable: true,
})

const schema: TableSchema = {
  columns: [
    col('time', 'timestamptz'),
    col('host', 'string'),
    col('region', 'string'),
    col('i32', 'int32'),
    col('i64', 'int64'),
    col('f', 'float64'),
    col('b', 'boolean'),
    col('s', 'string'),
    col('d', 'decimal'),
    col('day', 'date'),
    col('j', 'json'),
  ],
}

function encoder(spec: Record<string, unknown>, logs: string[] = [], s = schema): PointEncoder {
  return new PointEncoder(s, { measurement: 'm', ...spec }, (t) => logs.push(t))
}

describe('PointEncoder', () => {
  it('maps every value type to its line-protocol form, tags sorted by key', () => {
    const e = encoder({ tags: ['region', 'host'] })
    const line = e.encode([
      '2026-11-22T10:00:00.123456Z',
      'web 1',
      'eu,west',
      7,
      9007199254740993n,
      1.5,
      true,
      'he said "hi"',
      '12.30',
      '2026-11-22',
      '{"a":1}',
    ])
    expect(line).toBe(
      'm,host=web\\ 1,region=eu\\,west i32=7i,i64=9007199254740993i,f=1.5,b=t,s="he said \\"hi\\"",d="12.30",day="2026-11-22",j="{\\"a\\":1}" 1795341600123456000',
    )
  })

  it('omits NULL fields and NULL or empty tags; writes false as f', () => {
    const e = encoder({ tags: ['host', 'region'], fields: ['f', 'b'] })
    expect(
      e.encode(['2026-11-22T10:00:00Z', null, '', null, null, null, false, null, null, null, null]),
    ).toBe('m b=f 1795341600000000000')
  })

  it('skips a point with no field left, with a reason', () => {
    const e = encoder({ fields: ['f'] })
    expect(
      e.encode(['2026-11-22T10:00:00Z', 'h', 'r', 1, 1n, null, true, 's', '1', '2026-01-01', '1']),
    ).toBeUndefined()
    expect(e.skipReason).toMatch(/no field/)
  })

  it('leaves NaN and ±Infinity out, counts them and logs once', () => {
    const logs: string[] = []
    const e = encoder({ fields: ['f', 'i32'] }, logs)
    expect(
      e.encode(['2026-11-22T10:00:00Z', null, null, 1, null, NaN, null, null, null, null, null]),
    ).toBe('m i32=1i 1795341600000000000')
    expect(
      e.encode([
        '2026-11-22T10:00:00Z',
        null,
        null,
        null,
        null,
        Infinity,
        null,
        null,
        null,
        null,
        null,
      ]),
    ).toBeUndefined()
    expect(
      e.encode([
        '2026-11-22T10:00:00Z',
        null,
        null,
        2,
        null,
        -Infinity,
        null,
        null,
        null,
        null,
        null,
      ]),
    ).toBe('m i32=2i 1795341600000000000')
    expect(e.nonFinite).toBe(3)
    expect(logs.filter((l) => l.includes('NaN'))).toHaveLength(1)
  })

  it('writes time in the configured precision, cutting finer digits', () => {
    const row = [
      '2026-11-22T10:00:00.987654Z',
      null,
      null,
      1,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
    ]
    expect(encoder({ fields: ['i32'], precision: 'us' }).encode(row)).toBe(
      'm i32=1i 1795341600987654',
    )
    expect(encoder({ fields: ['i32'], precision: 'ms' }).encode(row)).toBe('m i32=1i 1795341600987')
    expect(encoder({ fields: ['i32'], precision: 's' }).encode(row)).toBe('m i32=1i 1795341600')
    const old = ['1969-12-31T23:59:59.5Z', null, null, 1, null, null, null, null, null, null, null]
    expect(encoder({ fields: ['i32'] }).encode(old)).toBe('m i32=1i -500000000')
    const zone = [
      '2026-11-22T11:00:00+01:00',
      null,
      null,
      1,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
    ]
    expect(encoder({ fields: ['i32'] }).encode(zone)).toBe('m i32=1i 1795341600000000000')
  })

  it('writes no timestamp for a NULL time and without a time column', () => {
    expect(
      encoder({ fields: ['i32'] }).encode([
        null,
        null,
        null,
        1,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
      ]),
    ).toBe('m i32=1i')
    const s: TableSchema = { columns: [col('v', 'float64')] }
    expect(encoder({}, [], s).encode([2])).toBe('m v=2')
  })

  it('takes the measurement from a column, escaped, and skips rows without one', () => {
    const s: TableSchema = { columns: [col('name', 'string'), col('v', 'int64')] }
    const e = new PointEncoder(s, { measurement_column: 'name' }, () => {})
    expect(e.encode(['cpu load', 1n])).toBe('cpu\\ load v=1i')
    expect(e.encode([null, 1n])).toBeUndefined()
    expect(e.skipReason).toMatch(/measurement/)
  })

  it('warns once when a tag passes tag_cardinality_warn distinct values', () => {
    const logs: string[] = []
    const s: TableSchema = { columns: [col('id', 'string'), col('v', 'int64')] }
    const e = new PointEncoder(
      s,
      { measurement: 'm', tags: ['id'], tag_cardinality_warn: 3 },
      (t) => logs.push(t),
    )
    for (let i = 0; i < 10; i++) e.encode([`u${i % 5}`, 1n])
    expect(logs.filter((l) => l.includes('"id" has more than 3 distinct values'))).toHaveLength(1)
  })

  it('refuses unknown columns, a missing measurement and tags or fields named time', () => {
    expect(() => encoder({ tags: ['nope'] })).toThrow(/not an incoming column/)
    expect(() => new PointEncoder(schema, {}, () => {})).toThrow(/measurement/)
    expect(() => encoder({ time: 'host', fields: ['time'] })).toThrow(/field named "time"/)
  })
})
