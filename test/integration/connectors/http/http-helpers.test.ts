import { describe, expect, it } from 'vitest'
import { jsonPath, checkJsonPath } from '../../../../src/connectors/http/json-path.js'
import { jsonToValue, ValueMismatch } from '../../../../src/connectors/http/json-to-value.js'
import { linkNext } from '../../../../src/connectors/http/link-next.js'
import { parseRetryAfter } from '../../../../src/connectors/http/parse-retry-after.js'
import { inferJsonSchema } from '../../../../src/connectors/http/infer-json-schema.js'
import { SluiceError } from '../../../../src/core/sluice-error.js'

// The pure pieces of the http connector: JSON paths, Retry-After, Link headers, values, inference.
describe('http connector helpers', () => {
  const doc = { data: { items: [{ id: 1 }, { id: 2 }], 'odd key': 3 }, list: [[1, 2], [3]] }

  it('jsonPath: dot paths, indexes, wildcards, quoted keys', () => {
    expect(jsonPath(doc, '$')).toEqual([doc])
    expect(jsonPath(doc, '$.data.items')).toEqual([[{ id: 1 }, { id: 2 }]])
    expect(jsonPath(doc, 'data.items')).toEqual([[{ id: 1 }, { id: 2 }]])
    expect(jsonPath(doc, '$.data.items[1].id')).toEqual([2])
    expect(jsonPath(doc, '$.data.items[*].id')).toEqual([1, 2])
    expect(jsonPath(doc, "$.data['odd key']")).toEqual([3])
    expect(jsonPath(doc, '$.list[*][0]')).toEqual([1, 3])
    expect(jsonPath(doc, '$.data.missing.deeper')).toEqual([])
    expect(jsonPath(doc, '$.data.items[9]')).toEqual([])
    expect(() => checkJsonPath('$.a[')).toThrow(SluiceError)
  })

  it('parseRetryAfter: seconds and HTTP dates', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')
    expect(parseRetryAfter('120', now)).toBe(120_000)
    expect(parseRetryAfter('1.5', now)).toBe(1500)
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', now)).toBe(30_000)
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:00:00 GMT', now)).toBe(0)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter(null, now)).toBeUndefined()
  })

  it('linkNext: rel="next" among several links, relative targets resolved', () => {
    const h =
      '<https://a.x/p?page=1>; rel="first", </p?page=3>; rel="next", <https://a.x/p?page=9>; rel=last'
    expect(linkNext(h, 'https://a.x/p?page=2')).toBe('https://a.x/p?page=3')
    expect(linkNext('<https://a.x/q>; rel="prev next"', 'https://a.x/')).toBe('https://a.x/q')
    expect(linkNext('<https://a.x/p?page=1>; rel="prev"', 'https://a.x/')).toBeUndefined()
    expect(linkNext(null, 'https://a.x/')).toBeUndefined()
  })

  it('jsonToValue follows the Value conventions', () => {
    expect(jsonToValue(9007199254740993n.toString(), { kind: 'int64' })).toBe(9007199254740993n)
    expect(jsonToValue(42, { kind: 'int64' })).toBe(42n)
    expect(jsonToValue(42, { kind: 'int32' })).toBe(42)
    expect(jsonToValue('1.25', { kind: 'float64' })).toBe(1.25)
    expect(jsonToValue(12.5, { kind: 'decimal', precision: 10, scale: 2 })).toBe('12.5')
    expect(jsonToValue({ a: 1 }, { kind: 'json' })).toBe('{"a":1}')
    expect(jsonToValue('x', { kind: 'json' })).toBe('"x"')
    expect(jsonToValue('', { kind: 'string' })).toBe('')
    expect(jsonToValue(undefined, { kind: 'string' })).toBeNull()
    expect(jsonToValue('2026-03-04T05:06:07.123456+02:00', { kind: 'timestamptz' })).toBe(
      '2026-03-04T03:06:07.123456Z',
    )
    expect(jsonToValue('2026-03-04 05:06:07', { kind: 'timestamp' })).toBe('2026-03-04T05:06:07')
    expect(jsonToValue('2026-03-04T05:06:07Z', { kind: 'date' })).toBe('2026-03-04')
    expect(jsonToValue('true', { kind: 'boolean' })).toBe(true)
    expect(jsonToValue('aGk=', { kind: 'binary' })).toEqual(new Uint8Array([104, 105]))
    expect(() => jsonToValue('abc', { kind: 'int64' })).toThrow(ValueMismatch)
    expect(() => jsonToValue(3e9, { kind: 'int32' })).toThrow(ValueMismatch)
    expect(() => jsonToValue('yesterday', { kind: 'timestamptz' })).toThrow(ValueMismatch)
  })

  it('inferJsonSchema: types from values, declared columns win', () => {
    const s = inferJsonSchema([
      { a: 1, b: 1, c: 'x', d: null, e: { k: 1 } },
      { a: 2, b: 2.5, c: 3, f: true },
    ])
    expect(s.columns.map((c) => `${c.name} ${c.type.kind}`)).toEqual([
      'a int64',
      'b float64',
      'c string',
      'd string',
      'e json',
      'f boolean',
    ])
    expect(inferJsonSchema([{ a: 1 }], { z: 'decimal', a: 'string' }).columns).toEqual([
      { name: 'z', type: { kind: 'decimal', precision: 38, scale: 9 }, nullable: true },
      { name: 'a', type: { kind: 'string' }, nullable: true },
    ])
  })
})
