import { describe, expect, it } from 'vitest'
import { ConnectorRegistry } from '../../../src/connectors/connector-registry.js'
import type { Connector } from '../../../src/data/connector-contract.js'

const fake = (name: string, schemes: string[]): Connector => ({
  name,
  schemes,
  capabilities: {
    source: true,
    destination: false,
    incremental: false,
    merge: false,
    transactions: false,
    bulk: 'none',
    maxBatchRows: 1000,
  },
})

describe('ConnectorRegistry', () => {
  const reg = new ConnectorRegistry()
    .register(fake('postgres', ['postgres', 'postgresql']))
    .register(fake('acme', ['acme']))

  it('resolves by type name and by URL scheme, case-insensitively', () => {
    expect(reg.resolve('POSTGRESQL://h/db').name).toBe('postgres')
    expect(reg.resolve('x', 'acme').name).toBe('acme')
  })

  it('explains unknown names and schemes with a suggestion', () => {
    expect(() => reg.resolve('postgress://h/db')).toThrow(/no connector handles "postgress" URLs/)
    let err: unknown
    try {
      reg.resolve('x', 'acm')
    } catch (e) {
      err = e
    }
    expect(err).toMatchObject({ code: 'E_CONNECTOR_UNKNOWN', hint: 'did you mean `acme`?' })
  })

  it('refuses a second connector with the same name', () => {
    expect(() => reg.register(fake('acme', ['acme2']))).toThrow(/already registered/)
  })
})
