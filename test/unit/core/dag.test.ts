import { describe, expect, it } from 'vitest'
import { criticalPath } from '../../../src/core/dag/critical-path.js'
import { findCycles } from '../../../src/core/dag/find-cycles.js'
import { planPipeline, type PlanInputTask } from '../../../src/core/dag/plan-pipeline.js'
import { selectTasks, type SelectableTask } from '../../../src/core/dag/select-tasks.js'
import { buildTaskGraph, reachable, type TaskGraph } from '../../../src/core/dag/task-graph.js'
import { topoLevels } from '../../../src/core/dag/topo-levels.js'
import { validateGraph } from '../../../src/core/dag/validate-graph.js'
import { SluiceError } from '../../../src/core/sluice-error.js'

type Deps = Record<string, string[]>

const depsMap = (d: Deps) => new Map(Object.entries(d))
const graph = (d: Deps) => buildTaskGraph(depsMap(d))
const names = (g: TaskGraph, idx: Iterable<number>) => [...idx].map((i) => g.ids[i]!)
const levelNames = (g: TaskGraph, levels: number[][]) => levels.map((l) => names(g, l))

/** a → b, a → c, b → d, c → d (edges upstream → downstream). */
const DIAMOND: Deps = { a: [], b: ['a'], c: ['a'], d: ['b', 'c'] }

function chain(n: number): Deps {
  const d: Deps = {}
  for (let i = 0; i < n; i++) d[`t${i}`] = i === 0 ? [] : [`t${i - 1}`]
  return d
}

describe('buildTaskGraph', () => {
  it('keeps declaration order and builds upstream/downstream lists', () => {
    const g = graph(DIAMOND)
    expect(g.ids).toEqual(['a', 'b', 'c', 'd'])
    expect(g.index.get('c')).toBe(2)
    expect(g.upstream).toEqual([[], [0], [0], [1, 2]])
    expect(g.downstream).toEqual([[1, 2], [3], [3], []])
  })

  it('drops unknown ids, self-edges and duplicate edges instead of crashing', () => {
    const g = graph({ a: ['a', 'ghost'], b: ['a', 'a'] })
    expect(g.upstream).toEqual([[], [0]])
    expect(g.downstream).toEqual([[1], []])
  })

  it('reachable follows edges from the start set, start included', () => {
    const g = graph(DIAMOND)
    expect(names(g, reachable(g.downstream, [1])).sort()).toEqual(['b', 'd'])
    expect(names(g, reachable(g.upstream, [3])).sort()).toEqual(['a', 'b', 'c', 'd'])
  })
})

describe('findCycles', () => {
  it('finds no cycle in a DAG, including forward and cross edges', () => {
    // forward edge a → d besides a → b → d; cross edge c → b between siblings
    const g = graph({ a: [], b: ['a', 'c'], c: ['a'], d: ['a', 'b'], e: ['c', 'd'] })
    expect(findCycles(g)).toEqual([])
    expect(findCycles(graph(DIAMOND))).toEqual([])
    expect(findCycles(graph({}))).toEqual([])
  })

  it('ignores a self-dependency (reported as E_DEP_SELF instead)', () => {
    expect(findCycles(graph({ a: ['a'] }))).toEqual([])
  })

  it('finds a direct two-task cycle as a closed path', () => {
    expect(findCycles(graph({ a: ['b'], b: ['a'] }))).toEqual([['a', 'b', 'a']])
  })

  it('gives the exact closed path of an indirect cycle, in dependency order', () => {
    // a depends on b, b on c, c on a
    expect(findCycles(graph({ a: ['b'], b: ['c'], c: ['a'] }))).toEqual([['a', 'b', 'c', 'a']])
    // same cycle, other direction: a depends on c
    expect(findCycles(graph({ a: ['c'], b: ['a'], c: ['b'] }))).toEqual([['a', 'c', 'b', 'a']])
  })

  it('reports two disjoint cycles, each once', () => {
    const cycles = findCycles(graph({ x: ['y'], y: ['x'], ok: [], a: ['b'], b: ['c'], c: ['a'] }))
    expect(cycles).toEqual([
      ['a', 'b', 'c', 'a'],
      ['x', 'y', 'x'],
    ])
  })

  it('reports only the cycle, not a task downstream of it', () => {
    const cycles = findCycles(
      graph({ a: ['b'], b: ['a'], down: ['a'], root: [], mid: ['root', 'down'] }),
    )
    expect(cycles).toEqual([['a', 'b', 'a']])
  })

  it('handles a 20,000-task chain and a 20,000-task cycle without overflowing the stack', () => {
    const d = chain(20_000)
    expect(findCycles(graph(d))).toEqual([])
    d.t0 = ['t19999']
    const cycles = findCycles(graph(d))
    expect(cycles).toHaveLength(1)
    expect(cycles[0]).toHaveLength(20_001)
    expect(cycles[0]![0]).toBe('t0')
    expect(cycles[0]![1]).toBe('t19999')
    expect(cycles[0]![20_000]).toBe('t0')
  })
})

describe('topoLevels', () => {
  it('puts a diamond on three levels', () => {
    const g = graph(DIAMOND)
    const r = topoLevels(g)
    expect(levelNames(g, r.levels)).toEqual([['a'], ['b', 'c'], ['d']])
    expect(r.blocked).toEqual([])
  })

  it('keeps declaration order within a level regardless of edge order', () => {
    const g = graph({ z: [], y: [], x: ['y'], w: ['z'], v: ['y'] })
    expect(levelNames(g, topoLevels(g).levels)).toEqual([
      ['z', 'y'],
      ['x', 'w', 'v'],
    ])
  })

  it('reports tasks on a cycle and downstream of it as blocked', () => {
    const g = graph({ root: [], a: ['b', 'root'], b: ['a'], down: ['a'], free: ['root'] })
    const r = topoLevels(g)
    expect(levelNames(g, r.levels)).toEqual([['root'], ['free']])
    expect(names(g, r.blocked)).toEqual(['a', 'b', 'down'])
  })

  it('restricts to a subset, ignoring edges from outside it', () => {
    const g = graph(DIAMOND)
    const subset = new Set([1, 3]) // b, d
    const r = topoLevels(g, subset)
    expect(levelNames(g, r.levels)).toEqual([['b'], ['d']])
    expect(r.blocked).toEqual([])
  })

  it('gives one level per task for a long chain', () => {
    const g = graph(chain(20_000))
    const r = topoLevels(g)
    expect(r.levels).toHaveLength(20_000)
    expect(r.levels[19_999]).toEqual([19_999])
  })
})

describe('criticalPath', () => {
  // a(2) → b(3) → d(1); a → c(1) → d
  const g = graph(DIAMOND)
  const order = topoLevels(g).levels.flat()

  it('finds the longest path by duration, its length, earliest starts and slack', () => {
    const dur = [2, 3, 1, 1]
    const r = criticalPath(g, order, (i) => dur[i]!)
    expect(r.path).toEqual(['a', 'b', 'd'])
    expect(r.durationMs).toBe(6)
    expect([...r.earliestStartMs]).toEqual([0, 2, 2, 5])
    expect([...r.slackMs]).toEqual([0, 0, 2, 0])
  })

  it('follows the other branch when it is longer', () => {
    const dur = [2, 1, 10, 1]
    const r = criticalPath(g, order, (i) => dur[i]!)
    expect(r.path).toEqual(['a', 'c', 'd'])
    expect(r.durationMs).toBe(13)
    expect([...r.slackMs]).toEqual([0, 9, 0, 0])
  })

  it('picks the longest chain by hops when every duration is 0', () => {
    const g2 = graph({ solo: [], a: [], b: ['a'], c: ['b'] })
    const r = criticalPath(g2, topoLevels(g2).levels.flat(), () => 0)
    expect(r.path).toEqual(['a', 'b', 'c'])
    expect(r.durationMs).toBe(0)
    expect([...r.slackMs]).toEqual([0, 0, 0, 0])
  })

  it('is non-empty for a single task with no duration', () => {
    const g1 = graph({ only: [] })
    expect(criticalPath(g1, [0], () => 0).path).toEqual(['only'])
  })

  it('is empty for an empty graph', () => {
    const r = criticalPath(graph({}), [], () => 0)
    expect(r.path).toEqual([])
    expect(r.durationMs).toBe(0)
  })
})

describe('validateGraph', () => {
  it('accepts a valid DAG with no problems', () => {
    const r = validateGraph(depsMap(DIAMOND))
    expect(r.problems).toEqual([])
    expect(r.graph.ids).toEqual(['a', 'b', 'c', 'd'])
  })

  it('reports a missing dependency with its path and a did-you-mean', () => {
    const { problems } = validateGraph(
      depsMap({ orders: [], clean: ['orders'], load: ['clean', 'ordres'] }),
    )
    expect(problems).toEqual([
      {
        severity: 'error',
        code: 'E_DEP_MISSING',
        message: 'task load depends on "ordres", which is not a task',
        path: 'tasks.load.depends_on[1]',
        suggestion: 'did you mean `orders`?',
      },
    ])
  })

  it('gives no suggestion when nothing is close', () => {
    const { problems } = validateGraph(depsMap({ orders: ['zzzzzzzz'] }))
    expect(problems).toHaveLength(1)
    expect(problems[0]!.code).toBe('E_DEP_MISSING')
    expect(problems[0]!.suggestion).toBeUndefined()
  })

  it('reports a self-dependency as E_DEP_SELF, not as a cycle', () => {
    const { problems } = validateGraph(depsMap({ a: [], b: ['a', 'b'] }))
    expect(problems).toEqual([
      {
        severity: 'error',
        code: 'E_DEP_SELF',
        message: 'task b depends on itself',
        path: 'tasks.b.depends_on[1]',
        suggestion: 'remove "b" from depends_on',
      },
    ])
  })

  it('reports a cycle with its full path and the dependency that closes it', () => {
    const { problems } = validateGraph(depsMap({ a: ['x', 'b'], b: ['c'], c: ['a'], x: [] }))
    expect(problems).toEqual([
      {
        severity: 'error',
        code: 'E_CYCLE',
        message: 'dependency cycle: a -> b -> c -> a',
        path: 'tasks.a.depends_on[1]',
        suggestion: 'remove one of these dependencies',
      },
    ])
  })

  it('warns W_UNREACHABLE for a task downstream of a cycle, not for tasks on it', () => {
    const { problems } = validateGraph(depsMap({ a: ['b'], b: ['a'], report: ['a'], fine: [] }))
    expect(problems.map((p) => [p.severity, p.code, p.path])).toEqual([
      ['error', 'E_CYCLE', 'tasks.a.depends_on[0]'],
      ['warning', 'W_UNREACHABLE', 'tasks.report'],
    ])
    expect(problems[1]!.message).toBe(
      'task report can never run: it is downstream of a dependency cycle',
    )
  })

  it('reports every problem together', () => {
    const { problems } = validateGraph(depsMap({ a: ['a', 'nope'], b: ['c'], c: ['b'] }))
    expect(problems.map((p) => p.code).sort()).toEqual(['E_CYCLE', 'E_DEP_MISSING', 'E_DEP_SELF'])
  })
})

describe('selectTasks', () => {
  // stg_orders → int_orders → fct_sales → report ; stg_customers → fct_sales ; audit (alone)
  const deps: Deps = {
    stg_orders: [],
    stg_customers: [],
    int_orders: ['stg_orders'],
    fct_sales: ['int_orders', 'stg_customers'],
    report: ['fct_sales'],
    audit: [],
  }
  const g = graph(deps)
  const tasks = new Map<string, SelectableTask>([
    ['stg_orders', { tags: ['staging', 'nightly'], type: 'extract' }],
    ['stg_customers', { tags: ['staging'], type: 'extract' }],
    ['int_orders', { tags: ['nightly'], type: 'sql' }],
    ['fct_sales', { tags: ['marts', 'nightly'], type: 'sql' }],
    ['report', { tags: ['marts'], type: 'load' }],
    ['audit', { tags: [], type: 'check' }],
  ])
  const sel = (select: string[], exclude: string[] = []) =>
    names(g, selectTasks(g, tasks, select, exclude)).sort()

  it('selects everything when nothing is given', () => {
    expect(sel([])).toEqual([...g.ids].sort())
  })

  it.each([
    ['fct_sales', ['fct_sales']],
    ['+fct_sales', ['fct_sales', 'int_orders', 'stg_customers', 'stg_orders']],
    ['int_orders+', ['fct_sales', 'int_orders', 'report']],
    ['+int_orders+', ['fct_sales', 'int_orders', 'report', 'stg_orders']],
    ['1+fct_sales', ['fct_sales', 'int_orders', 'stg_customers']],
    ['stg_orders+1', ['int_orders', 'stg_orders']],
    ['stg_orders+2', ['fct_sales', 'int_orders', 'stg_orders']],
    ['@int_orders', ['fct_sales', 'int_orders', 'report', 'stg_customers', 'stg_orders']],
    ['stg_*', ['stg_customers', 'stg_orders']],
    ['*_orders', ['int_orders', 'stg_orders']],
    ['tag:nightly', ['fct_sales', 'int_orders', 'stg_orders']],
    ['type:sql', ['fct_sales', 'int_orders']],
    ['audit report', ['audit', 'report']],
    ['stg_* tag:marts', ['fct_sales', 'report', 'stg_customers', 'stg_orders']],
    ['tag:nightly,type:sql', ['fct_sales', 'int_orders']],
    ['stg_*,tag:nightly', ['stg_orders']],
    ['+report,tag:staging', ['stg_customers', 'stg_orders']],
  ])('%s', (expr, expected) => {
    expect(sel([expr])).toEqual(expected)
  })

  it('unions several --select values', () => {
    expect(sel(['audit', 'stg_orders'])).toEqual(['audit', 'stg_orders'])
  })

  it('removes --exclude matches from the selection', () => {
    expect(sel(['+report'], ['stg_*'])).toEqual(['fct_sales', 'int_orders', 'report'])
    expect(sel([], ['tag:nightly audit'])).toEqual(['report', 'stg_customers'])
  })

  it('does not cross a gap with a depth limit of 0', () => {
    expect(sel(['report+0'])).toEqual(['report'])
  })

  function selectError(select: string[], exclude: string[] = []): SluiceError {
    try {
      selectTasks(g, tasks, select, exclude)
    } catch (e) {
      if (e instanceof SluiceError) return e
      throw e
    }
    throw new Error('expected selectTasks to throw')
  }

  it('throws E_SELECT_INVALID for an unknown name, with a did-you-mean', () => {
    const e = selectError(['fct_sale'])
    expect(e.code).toBe('E_SELECT_INVALID')
    expect(e.message).toBe('selector "fct_sale" names no task')
    expect(e.hint).toBe('did you mean `fct_sales`?')
  })

  it('keeps the did-you-mean with graph operators around the name', () => {
    const e = selectError(['+reprot+'])
    expect(e.code).toBe('E_SELECT_INVALID')
    expect(e.hint).toBe('did you mean `report`?')
  })

  it('lists tasks when nothing is close', () => {
    expect(selectError(['zzzzzzzz']).hint).toBe(
      'tasks: stg_orders, stg_customers, int_orders, fct_sales, report, audit',
    )
  })

  it('throws for a glob, tag or type that matches nothing', () => {
    expect(selectError(['raw_*']).code).toBe('E_SELECT_INVALID')
    expect(selectError(['tag:weekly']).message).toBe('selector "tag:weekly" matches no task')
    expect(selectError(['type:python']).code).toBe('E_SELECT_INVALID')
  })

  it('throws for an unknown name in --exclude too', () => {
    expect(selectError([], ['nope']).code).toBe('E_SELECT_INVALID')
  })

  it('throws for a selector it cannot read', () => {
    const e = selectError(['a++b'])
    expect(e.code).toBe('E_SELECT_INVALID')
    expect(e.message).toBe('cannot read selector "a++b"')
  })
})

describe('planPipeline', () => {
  const input = (entries: Record<string, PlanInputTask>) => new Map(Object.entries(entries))

  it('plans a diamond in dependency order without estimates', () => {
    const g = graph(DIAMOND)
    const plan = planPipeline(
      'p',
      g,
      input({
        a: { type: 'extract' },
        b: { type: 'sql' },
        c: { type: 'sql' },
        d: { type: 'load' },
      }),
    )
    expect(plan.pipeline).toBe('p')
    expect(plan.levels).toEqual([['a'], ['b', 'c'], ['d']])
    expect(plan.tasks.map((t) => [t.id, t.level, t.dependsOn, t.dependents])).toEqual([
      ['a', 0, [], ['b', 'c']],
      ['b', 1, ['a'], ['d']],
      ['c', 1, ['a'], ['d']],
      ['d', 2, ['b', 'c'], []],
    ])
    expect(plan.criticalPath).toBeUndefined()
    expect(plan.estimatedDurationMs).toBeUndefined()
    expect(plan.maxParallel).toBeUndefined()
    expect(plan.excludedDependencies).toEqual({})
    expect(plan.tasks.every((t) => !t.critical && t.slackMs === undefined)).toBe(true)
  })

  it('splits wide levels by maxParallel and keeps dependency order', () => {
    const deps: Deps = {
      r1: [],
      r2: [],
      r3: [],
      r4: [],
      r5: [],
      m1: ['r5'],
      m2: ['r1'],
      end: ['m1', 'm2'],
    }
    const g = graph(deps)
    const tasks = input(Object.fromEntries(Object.keys(deps).map((id) => [id, { type: 'noop' }])))
    const plan = planPipeline('p', g, tasks, { maxParallel: 2 })
    expect(plan.maxParallel).toBe(2)
    expect(plan.levels).toEqual([['r1', 'r2'], ['r3', 'r4'], ['r5'], ['m1', 'm2'], ['end']])
    // every dependency sits in an earlier batch
    const batchOf = new Map(plan.levels.flatMap((l, k) => l.map((id) => [id, k] as const)))
    for (const [id, ds] of Object.entries(deps))
      for (const d of ds) expect(batchOf.get(d)!).toBeLessThan(batchOf.get(id)!)
    // topological levels are not changed by the split
    expect(plan.tasks.find((t) => t.id === 'r5')!.level).toBe(0)
  })

  it('orders a level by priority, highest first, ties in declaration order', () => {
    const g = graph({ a: [], b: [], c: [], d: [] })
    const plan = planPipeline(
      'p',
      g,
      input({
        a: { type: 'noop' },
        b: { type: 'noop', priority: 5 },
        c: { type: 'noop', priority: -1 },
        d: { type: 'noop', priority: 5 },
      }),
      { maxParallel: 2 },
    )
    expect(plan.levels).toEqual([
      ['b', 'd'],
      ['a', 'c'],
    ])
    expect(plan.tasks.find((t) => t.id === 'b')!.priority).toBe(5)
    expect(plan.tasks.find((t) => t.id === 'a')!.priority).toBe(0)
  })

  it('puts critical tasks first among equal priorities', () => {
    const g = graph({ short: [], long: [] })
    const plan = planPipeline(
      'p',
      g,
      input({ short: { type: 'noop', estimateMs: 10 }, long: { type: 'noop', estimateMs: 100 } }),
      { maxParallel: 1 },
    )
    expect(plan.levels).toEqual([['long'], ['short']])
  })

  it('records dependencies outside a selected subset as excluded', () => {
    const g = graph(DIAMOND)
    const tasks = input({
      a: { type: 'extract' },
      b: { type: 'sql' },
      c: { type: 'sql', tags: ['x'] },
      d: { type: 'load' },
    })
    const plan = planPipeline('p', g, tasks, { select: ['c+'] })
    expect(plan.tasks.map((t) => t.id)).toEqual(['c', 'd'])
    expect(plan.levels).toEqual([['c'], ['d']])
    expect(plan.excludedDependencies).toEqual({ c: ['a'], d: ['b'] })
    expect(plan.tasks.find((t) => t.id === 'd')!.dependsOn).toEqual(['c'])
    expect(plan.tasks.find((t) => t.id === 'c')!.tags).toEqual(['x'])
  })

  it('applies --exclude', () => {
    const g = graph(DIAMOND)
    const tasks = input({
      a: { type: 'extract' },
      b: { type: 'sql' },
      c: { type: 'sql' },
      d: { type: 'load' },
    })
    const plan = planPipeline('p', g, tasks, { exclude: ['b'] })
    expect(plan.levels).toEqual([['a'], ['c'], ['d']])
    expect(plan.excludedDependencies).toEqual({ d: ['b'] })
  })

  it('propagates selection errors', () => {
    const g = graph(DIAMOND)
    expect(() => planPipeline('p', g, input({ a: { type: 'noop' } }), { select: ['zz'] })).toThrow(
      expect.objectContaining({ code: 'E_SELECT_INVALID' }),
    )
  })

  it('computes the critical path, slack and estimated duration when estimates exist', () => {
    const g = graph(DIAMOND)
    const tasks = input({
      a: { type: 'extract', estimateMs: 2000 },
      b: { type: 'sql', estimateMs: 3000 },
      c: { type: 'sql', estimateMs: 1000 },
      d: { type: 'load', estimateMs: 1000 },
    })
    const plan = planPipeline('p', g, tasks)
    expect(plan.criticalPath).toEqual({ tasks: ['a', 'b', 'd'], durationMs: 6000 })
    expect(
      plan.tasks.map((t) => [t.id, t.critical, t.earliestStartMs, t.slackMs, t.estimateMs]),
    ).toEqual([
      ['a', true, 0, 0, 2000],
      ['b', true, 2000, 0, 3000],
      ['c', false, 2000, 2000, 1000],
      ['d', true, 5000, 0, 1000],
    ])
    // batches [a] [b, c] [d]: 2000 + 3000 + 1000
    expect(plan.estimatedDurationMs).toBe(6000)
  })

  it('sums the longest estimate of each batch after a maxParallel split', () => {
    const g = graph({ a: [], b: [], c: [] })
    const tasks = input({
      a: { type: 'noop', estimateMs: 100 },
      b: { type: 'noop', estimateMs: 300 },
      c: { type: 'noop', estimateMs: 200 },
    })
    const plan = planPipeline('p', g, tasks, { maxParallel: 2 })
    expect(plan.levels).toEqual([['b', 'c'], ['a']])
    expect(plan.estimatedDurationMs).toBe(300 + 100)
  })

  it('prefers known durations from history over estimates', () => {
    const g = graph(DIAMOND)
    const tasks = input({
      a: { type: 'noop', estimateMs: 1 },
      b: { type: 'noop', estimateMs: 1 },
      c: { type: 'noop', estimateMs: 1 },
      d: { type: 'noop', estimateMs: 1 },
    })
    const plan = planPipeline('p', g, tasks, { durationsMs: { c: 50 } })
    expect(plan.criticalPath).toEqual({ tasks: ['a', 'c', 'd'], durationMs: 52 })
    expect(plan.tasks.find((t) => t.id === 'c')!.estimateMs).toBe(50)
    expect(plan.estimatedDurationMs).toBe(52)
  })

  it('computes a critical path when only some tasks have estimates', () => {
    const g = graph(DIAMOND)
    const plan = planPipeline(
      'p',
      g,
      input({
        a: { type: 'noop' },
        b: { type: 'noop' },
        c: { type: 'noop', estimateMs: 7 },
        d: { type: 'noop' },
      }),
    )
    expect(plan.criticalPath).toEqual({ tasks: ['a', 'c', 'd'], durationMs: 7 })
    expect(plan.estimatedDurationMs).toBe(7)
    expect(plan.tasks.find((t) => t.id === 'a')!.estimateMs).toBeUndefined()
  })

  it('restricts the critical path to the selection', () => {
    const g = graph(DIAMOND)
    const tasks = input({
      a: { type: 'noop', estimateMs: 1000 },
      b: { type: 'noop', estimateMs: 5 },
      c: { type: 'noop', estimateMs: 10 },
      d: { type: 'noop', estimateMs: 1 },
    })
    const plan = planPipeline('p', g, tasks, { select: ['b+'] })
    expect(plan.criticalPath).toEqual({ tasks: ['b', 'd'], durationMs: 6 })
    expect(plan.tasks.find((t) => t.id === 'b')!.earliestStartMs).toBe(0)
  })

  it('carries pool and defaults the type of tasks missing from the input map', () => {
    const g = graph({ a: [], b: ['a'] })
    const plan = planPipeline('p', g, input({ a: { type: 'sql', pool: 'warehouse' } }))
    expect(plan.tasks[0]).toMatchObject({ id: 'a', type: 'sql', pool: 'warehouse' })
    expect(plan.tasks[1]).toMatchObject({ id: 'b', type: 'noop', priority: 0, tags: [] })
    expect('pool' in plan.tasks[1]!).toBe(false)
  })
})
