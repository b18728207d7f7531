import { describe, expect, it } from 'vitest'
import { buildLineageGraph, mergeLineageGraphs } from '../../../src/observe/lineage-graph.js'
import { openLineageEvent, openLineageRunUuid } from '../../../src/observe/openlineage-event.js'
import { walkLineage } from '../../../src/observe/walk-lineage.js'

const spec = {
  name: 'orders_daily',
  tasks: {
    orders: { type: 'extract', source: { connection: 'src', table: 'public.orders' } },
    customers: { type: 'extract', source: { path: 'data/customers.csv' } },
    joined: { type: 'sql', depends_on: ['orders', 'customers'] },
    check: { type: 'check', depends_on: ['joined'] },
    load: {
      type: 'load',
      depends_on: ['joined', 'check'],
      input: 'joined',
      destination: { connection: 'warehouse', table: 'dw.orders' },
    },
    notify: { type: 'command', depends_on: ['load'] },
  },
}
const outputs = {
  orders: {
    dataset: '/ws/datasets/r1/orders',
    rows: 3,
    schema: ['id int64 not null', 'customer_id int64'],
  },
  customers: { dataset: '/ws/datasets/r1/customers', rows: 2, schema: ['id int64', 'name string'] },
  joined: {
    dataset: '/ws/datasets/r1/joined',
    rows: 3,
    schema: ['id int64 not null', 'amount decimal(18,2)'],
  },
  load: { rows: 3 },
}

describe('buildLineageGraph', () => {
  const g = buildLineageGraph(spec, {
    outputs,
    connectionNamespaces: { warehouse: 'postgres://dw:5432' },
  })

  it('has dataset nodes with path, rows and schema, and read/write edges', () => {
    expect(g.nodes.get('sluice:orders_daily.joined')).toEqual({
      kind: 'dataset',
      id: 'sluice:orders_daily.joined',
      namespace: 'sluice',
      name: 'orders_daily.joined',
      producer: 'joined',
      path: '/ws/datasets/r1/joined',
      rows: 3,
      fields: [
        { name: 'id', type: 'int64', nullable: false },
        { name: 'amount', type: 'decimal(18,2)', nullable: true },
      ],
    })
    expect(g.nodes.get('postgres://dw:5432:dw.orders')).toMatchObject({
      name: 'dw.orders',
      rows: 3,
    })
    expect(g.edges).toEqual([
      { from: 'src:public.orders', to: 'task:orders_daily.orders' },
      { from: 'task:orders_daily.orders', to: 'sluice:orders_daily.orders' },
      { from: 'file:data/customers.csv', to: 'task:orders_daily.customers' },
      { from: 'task:orders_daily.customers', to: 'sluice:orders_daily.customers' },
      { from: 'sluice:orders_daily.orders', to: 'task:orders_daily.joined' },
      { from: 'sluice:orders_daily.customers', to: 'task:orders_daily.joined' },
      { from: 'task:orders_daily.joined', to: 'sluice:orders_daily.joined' },
      { from: 'sluice:orders_daily.joined', to: 'task:orders_daily.check' },
      // input: joined, so check (a dependency without a dataset) adds no edge
      { from: 'sluice:orders_daily.joined', to: 'task:orders_daily.load' },
      { from: 'task:orders_daily.load', to: 'postgres://dw:5432:dw.orders' },
    ])
    expect([...g.nodes.keys()]).toContain('task:orders_daily.notify')
  })

  it('gives the fields of a SQL task the upstream dataset columns they come from (column level)', () => {
    const withColumns = buildLineageGraph(spec, {
      outputs: {
        ...outputs,
        joined: {
          ...outputs.joined,
          columnLineage: [
            { column: 'id', inputs: ['orders.id'], transformation: 'IDENTITY' },
            { column: 'ghost', inputs: ['orders.x'], transformation: 'IDENTITY' },
          ],
        },
      },
    })
    const node = withColumns.nodes.get('sluice:orders_daily.joined')
    expect(node?.kind === 'dataset' && node.fields).toEqual([
      {
        name: 'id',
        type: 'int64',
        nullable: false,
        inputs: [{ dataset: 'sluice:orders_daily.orders', column: 'id' }],
        transformation: 'IDENTITY',
      },
      // a column without lineage (and lineage of a column not in the schema) adds nothing
      { name: 'amount', type: 'decimal(18,2)', nullable: true },
    ])
  })

  it('walks upstream transitively from a table, and to a depth', () => {
    const up = walkLineage(g, 'dw.orders', { direction: 'upstream' })!
    expect(up.start.id).toBe('postgres://dw:5432:dw.orders')
    expect(up.nodes.map((n) => [n.node.id, n.depth])).toEqual([
      ['task:orders_daily.load', 1],
      ['sluice:orders_daily.joined', 2],
      ['task:orders_daily.joined', 3],
      ['sluice:orders_daily.customers', 4],
      ['sluice:orders_daily.orders', 4],
      ['task:orders_daily.customers', 5],
      ['task:orders_daily.orders', 5],
      ['file:data/customers.csv', 6],
      ['src:public.orders', 6],
    ])
    const near = walkLineage(g, 'dw.orders', { direction: 'upstream', maxDepth: 2 })!
    expect(near.nodes.map((n) => n.node.id)).toEqual([
      'task:orders_daily.load',
      'sluice:orders_daily.joined',
    ])
  })

  it('walks downstream from a task id and a file path; unknown refs give undefined', () => {
    const down = walkLineage(g, 'orders', { direction: 'downstream' })!
    expect(down.start.id).toBe('task:orders_daily.orders')
    expect(down.nodes.map((n) => n.node.id)).toEqual([
      'sluice:orders_daily.orders',
      'task:orders_daily.joined',
      'sluice:orders_daily.joined',
      'task:orders_daily.check',
      'task:orders_daily.load',
      'postgres://dw:5432:dw.orders',
    ])
    const both = walkLineage(g, 'data/customers.csv')!
    expect(both.nodes.filter((n) => n.direction === 'upstream')).toEqual([])
    expect(walkLineage(g, 'nope')).toBeUndefined()
  })

  it('merges pipelines on shared datasets (cross-pipeline lineage)', () => {
    const report = buildLineageGraph(
      {
        name: 'report',
        tasks: {
          read: { type: 'extract', source: { connection: 'warehouse', table: 'dw.orders' } },
        },
      },
      { connectionNamespaces: { warehouse: 'postgres://dw:5432' } },
    )
    const all = mergeLineageGraphs([g, report])
    const down = walkLineage(all, 'src:public.orders', { direction: 'downstream' })!
    expect(down.nodes.map((n) => n.node.id)).toContain('sluice:report.read')
  })
})

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('openLineageEvent', () => {
  const g = buildLineageGraph(spec, { outputs })

  it('builds a task COMPLETE event with required fields, schema, row count, parent and column lineage', () => {
    const e = openLineageEvent({
      eventType: 'COMPLETE',
      eventTime: new Date('2026-01-01T00:00:05Z'),
      runId: 'orders_daily-20260101T000000-abcd',
      pipeline: 'orders_daily',
      task: 'joined',
      attempt: 0,
      graph: g,
      sql: 'select o.id, o.amount from orders o join customers c on c.id = o.customer_id',
      columnLineage: [
        { name: 'id', inputs: [{ table: 'orders', column: 'id' }], transformation: 'IDENTITY' },
        { name: 'amount', inputs: undefined, transformation: undefined },
      ],
    })
    expect(e.eventType).toBe('COMPLETE')
    expect(e.eventTime).toBe('2026-01-01T00:00:05.000Z')
    expect(e.schemaURL).toMatch(
      /^https:\/\/openlineage\.io\/spec\/\d+-\d+-\d+\/OpenLineage\.json#\/\$defs\/RunEvent$/,
    )
    expect(e.producer).toMatch(/^https:\/\//)
    expect(e.run.runId).toMatch(UUID)
    expect(e.job).toMatchObject({ namespace: 'sluice', name: 'orders_daily.joined' })
    expect(e.run.facets.parent).toMatchObject({
      run: { runId: openLineageRunUuid('orders_daily-20260101T000000-abcd') },
      job: { namespace: 'sluice', name: 'orders_daily' },
    })
    expect(e.inputs.map((d) => d.name)).toEqual(['orders_daily.orders', 'orders_daily.customers'])
    expect(e.inputs[1]!.facets.schema).toMatchObject({
      fields: [
        { name: 'id', type: 'int64' },
        { name: 'name', type: 'string' },
      ],
    })
    const out = e.outputs[0]!
    expect(out.outputFacets?.outputStatistics).toMatchObject({ rowCount: 3 })
    expect(out.facets.columnLineage).toMatchObject({
      fields: {
        id: {
          inputFields: [
            {
              namespace: 'sluice',
              name: 'orders_daily.orders',
              field: 'id',
              transformations: [{ type: 'DIRECT', subtype: 'IDENTITY' }],
            },
          ],
        },
      },
    })
    // unknown lineage is left out, not guessed
    expect(Object.keys((out.facets.columnLineage as unknown as { fields: object }).fields)).toEqual(
      ['id'],
    )
    for (const f of [out.facets.schema, out.facets.columnLineage, e.job.facets.sql]) {
      expect(f?._producer).toBe(e.producer)
      expect(f?._schemaURL).toMatch(/^https:\/\/openlineage\.io\/spec\/facets\//)
    }
  })

  it('a run FAIL event: pipeline job, no parent, error facet; UUIDs are stable and distinct', () => {
    const e = openLineageEvent({
      eventType: 'FAIL',
      eventTime: '2026-01-01T00:01:00.000Z',
      runId: 'r1',
      pipeline: 'orders_daily',
      error: { code: 'E_X', message: 'boom' },
    })
    expect(e.job.name).toBe('orders_daily')
    expect(e.run.facets.parent).toBeUndefined()
    expect(e.run.facets.errorMessage).toMatchObject({ message: 'E_X: boom' })
    expect(e.inputs).toEqual([])
    expect(e.run.runId).toBe(openLineageRunUuid('r1'))
    expect(openLineageRunUuid('r1')).toMatch(UUID)
    expect(openLineageRunUuid('r2')).not.toBe(openLineageRunUuid('r1'))
    const start = openLineageEvent({
      eventType: 'START',
      eventTime: '2026-01-01T00:00:00Z',
      runId: 'r1',
      pipeline: 'orders_daily',
      task: 'load',
      graph: g,
    })
    expect(start.outputs[0]!.outputFacets).toBeUndefined()
    expect(start.outputs[0]!.name).toBe('dw.orders')
  })
})
