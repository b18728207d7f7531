import { describe, expect, it } from 'vitest'
import { FluxCsvParser, type FluxRow } from '../../../../src/connectors/influxdb/flux-csv-parser.js'

// A response of InfluxDB 2.x /api/v2/query (annotations datatype, group, default; CRLF), two tables
// with different value types, quoted values with commas, quotes and a newline.
const RECORDED = [
  '#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string,string',
  '#group,false,false,true,true,false,false,true,true,true',
  '#default,_result,,,,,,,,',
  ',result,table,_start,_stop,_time,_value,_field,_measurement,host',
  ',,0,2026-11-22T00:00:00Z,2026-11-22T01:00:00Z,2026-11-22T00:10:00.123456789Z,1.5,usage,cpu,"a,b"',
  ',,0,2026-11-22T00:00:00Z,2026-11-22T01:00:00Z,2026-11-22T00:20:00Z,NaN,usage,cpu,"a,b"',
  ',,0,2026-11-22T00:00:00Z,2026-11-22T01:00:00Z,2026-11-22T00:30:00Z,,usage,cpu,"a,b"',
  '',
  '#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,long,string,string,string,boolean',
  '#group,false,false,true,true,false,false,true,true,true,false',
  '#default,_result,,,,,,,,,true',
  ',result,table,_start,_stop,_time,_value,_field,_measurement,host,ok',
  ',,1,2026-11-22T00:00:00Z,2026-11-22T01:00:00Z,2026-11-22T00:10:00Z,9007199254740993,count,cpu,"say ""hi""',
  'next",',
  ',,1,2026-11-22T00:00:00Z,2026-11-22T01:00:00Z,2026-11-22T00:20:00Z,-4,count,cpu,,false',
  '',
  '',
].join('\r\n')

function parseAll(text: string, step = text.length): FluxRow[] {
  const p = new FluxCsvParser()
  const rows: FluxRow[] = []
  for (let i = 0; i < text.length; i += step) rows.push(...p.push(text.slice(i, i + step)))
  rows.push(...p.end())
  return rows
}

describe('FluxCsvParser', () => {
  it('parses tables with types, defaults, NULLs and quoted values', () => {
    const rows = parseAll(RECORDED)
    expect(rows).toHaveLength(5)
    const t0 = rows[0]!.table
    expect(t0.columns.map((c) => `${c.name}:${c.type.kind}`)).toEqual([
      '_start:timestamptz',
      '_stop:timestamptz',
      '_time:timestamptz',
      '_value:float64',
      '_field:string',
      '_measurement:string',
      'host:string',
    ])
    expect(rows[0]!.values).toEqual([
      '2026-11-22T00:00:00Z',
      '2026-11-22T01:00:00Z',
      '2026-11-22T00:10:00.123456Z',
      1.5,
      'usage',
      'cpu',
      'a,b',
    ])
    expect(rows[1]!.values[3]).toBeNaN()
    expect(rows[2]!.values[3]).toBeNull()
    const t1 = rows[3]!.table
    expect(t1).not.toBe(t0)
    expect(t1.columns.map((c) => c.type.kind)).toContain('int64')
    expect(rows[3]!.values.slice(3)).toEqual([
      9007199254740993n,
      'count',
      'cpu',
      'say "hi"\r\nnext',
      true,
    ])
    expect(rows[4]!.values.slice(3)).toEqual([-4n, 'count', 'cpu', null, false])
  })

  it('gives the same rows whatever the chunk boundaries', () => {
    const whole = parseAll(RECORDED)
    for (const step of [1, 2, 3, 7, 64]) expect(parseAll(RECORDED, step)).toEqual(whole)
  })

  it('parses LF line endings and a response without a final newline', () => {
    const lf = RECORDED.replace(/\r\n/g, '\n').trimEnd()
    const rows = parseAll(lf)
    expect(rows).toHaveLength(5)
    expect(rows[3]!.values[6]).toBe('say "hi"\nnext')
  })

  it('throws E_INFLUX_QUERY on an error table', () => {
    const text =
      '#datatype,string,string\r\n#group,true,true\r\n#default,,\r\n,error,reference\r\n,"failed to compile: undefined identifier x",897\r\n'
    expect(() => parseAll(text)).toThrow(
      /Flux query failed: failed to compile: undefined identifier x \(reference 897\)/,
    )
  })
})
