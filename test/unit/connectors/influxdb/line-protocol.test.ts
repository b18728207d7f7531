import { describe, expect, it } from 'vitest'
import { lineProtocol } from '../../../../src/connectors/influxdb/line-protocol.js'

describe('lineProtocol', () => {
  it('escapes spaces and commas in measurements, not equals signs', () => {
    expect(lineProtocol.measurement('cpu load,total=1')).toBe('cpu\\ load\\,total=1')
    expect(lineProtocol.measurement('plain')).toBe('plain')
  })

  it('escapes spaces, commas and equals signs in tag keys, tag values and field keys', () => {
    expect(lineProtocol.key('a b,c=d')).toBe('a\\ b\\,c\\=d')
    expect(lineProtocol.key('host')).toBe('host')
  })

  it('writes newlines, carriage returns and tabs in names as \\n, \\r, \\t text', () => {
    expect(lineProtocol.key('a\nb\rc\td')).toBe('a\\nb\\rc\\td')
    expect(lineProtocol.measurement('m\n1')).toBe('m\\n1')
  })

  it('leaves other backslashes, quotes and unicode in names as they are', () => {
    expect(lineProtocol.key('C:\\dir "x" é✓')).toBe('C:\\dir\\ "x"\\ é✓')
    expect(lineProtocol.measurement('météo"\\')).toBe('météo"\\')
  })

  it('quotes string fields, escaping " and \\ and keeping newlines', () => {
    expect(lineProtocol.stringField('plain')).toBe('"plain"')
    expect(lineProtocol.stringField('say "hi"\\n')).toBe('"say \\"hi\\"\\\\n"')
    expect(lineProtocol.stringField('a\nb, c=d é')).toBe('"a\nb, c=d é"')
    expect(lineProtocol.stringField('')).toBe('""')
  })
})
