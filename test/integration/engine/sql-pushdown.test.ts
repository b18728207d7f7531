import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Sqlite from 'better-sqlite3'
import mysql from 'mysql2/promise'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compilePipeline } from '../../../src/definition/compile-pipeline.js'
import { loadPipelineText } from '../../../src/definition/load-pipeline.js'
import { DataPlane } from '../../../src/engine/data-plane.js'
import { runPipeline, type RunResult } from '../../../src/engine/run-pipeline.js'
import { SqliteStateStore } from '../../../src/state/sqlite/sqlite-state-store.js'
import { useTestDatabase } from '../../helpers/pg-test-database.js'

// sql tasks with connection: run inside PostgreSQL, MariaDB and SQLite, one transaction each.
const pg = useTestDatabase('sluice_pushdown')
const MY_HOST = process.env.SLUICE_TEST_MYSQL_HOST ?? '127.0.0.1'
const MY_DB = `sluice_pd_${randomBytes(5).toString('hex')}`
let my: mysql.Connection
let ws: string
let store: SqliteStateStore
let n = 0

beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'sluice-pushdown-'))
  store = await SqliteStateStore.open({ path: join(ws, 'state.db') })
  my = await mysql.createConnection({ host: MY_HOST, port: 3306, user: 'root' })
  await my.query(`CREATE DATABASE \`${MY_DB}\``)
  await my.query(`USE \`${MY_DB}\``)
})
afterAll(async () => {
  await my?.query(`DROP DATABASE IF EXISTS \`${MY_DB}\``)
  await my?.end()
  await store.close()
  await rm(ws, { recursive: true, force: true })
})

const pgUrlWithPassword = () => {
  const u = new URL(pg.url())
  u.password = 's3cretpw' // trust auth ignores it; it must never show in an error
  return u.toString()
}

/** Runs one push-down sql task `t` against connection `db`. */
async function run(sql: string, env: Record<string, string>): Promise<RunResult> {
  const runId = `r${++n}`
  const yaml = `name: pushdown
connections: { db: "\${env:DB}" }
tasks:
  t:
    type: sql
    connection: db
    retries: { max_attempts: 1 }
    sql: ${JSON.stringify(sql)}
`
  const loaded = loadPipelineText(yaml, { run: { runId }, displayName: join(ws, 'p.yaml'), env })
  expect(loaded.issues).toEqual([])
  const plane = new DataPlane(ws)
  try {
    return await runPipeline(compilePipeline(loaded), { store, runId, dataPlane: plane })
  } finally {
    await plane.close()
  }
}
const errorLines = (r: RunResult) => r.tasks.t!.error!.message.split('\n')

describe('push-down into PostgreSQL', () => {
  const env = () => ({ DB: pgUrlWithPassword() })

  it('runs all statements and commits them together; rows affected per statement', async () => {
    const r = await run(
      `create table items (id int primary key, v text);
insert into items values (1, 'a'), (2, 'b'), (3, 'c');
update items set v = 'x' where id >= 2;
select * from items where v = 'x'`,
      env(),
    )
    expect(r.state, JSON.stringify(r.tasks)).toBe('SUCCESS')
    expect(r.tasks.t!.outputs).toEqual({
      connection: 'db',
      statements: 4,
      rows_affected: [0, 3, 2, 2],
    })
    expect(await pg.sql('select id, v from items order by id')).toEqual([
      { id: 1, v: 'a' },
      { id: 2, v: 'x' },
      { id: 3, v: 'x' },
    ])
  })

  it('a failing second statement rolls back the first (even DDL); E_SQL names statement, line and column', async () => {
    const r = await run(
      `create table gone (id int);
insert into gone values (1);
update gone
  set id = nope`,
      env(),
    )
    expect(r.state).toBe('FAILED')
    expect(r.tasks.t!.error!.code).toBe('E_SQL')
    expect(errorLines(r).slice(0, 3)).toEqual([
      'statement 3 of 3 at sql: line 4, col 12: db: column "nope" does not exist',
      '  4 |   set id = nope',
      '    |            ^',
    ])
    expect(await pg.sql("select to_regclass('gone') as t")).toEqual([{ t: null }])
  })

  it('never shows the connection password, even when the SQL provokes an error quoting it', async () => {
    const r = await run("select 's3cretpw'::int", env())
    expect(r.tasks.t!.error!.code).toBe('E_SQL')
    expect(r.tasks.t!.error!.message).not.toContain('s3cretpw')
    expect(r.tasks.t!.error!.message).toContain('invalid input syntax for type integer')
    expect(errorLines(r)[1]).toBe("  1 | select '***'::int")
  })

  it('BEGIN/COMMIT in the script are refused before anything runs', async () => {
    const r = await run('begin; create table never (id int); commit', env())
    expect(r.tasks.t!.error!.code).toBe('E_SQL')
    expect(errorLines(r)[0]).toBe('statement 1 of 3 at sql: line 1: BEGIN is not allowed here')
    expect(await pg.sql("select to_regclass('never') as t")).toEqual([{ t: null }])
  })
})

describe('push-down into MariaDB/MySQL', () => {
  const env = () => ({ DB: `mysql://root@${MY_HOST}:3306/${MY_DB}` })

  it('commits data changes together; rows affected per statement', async () => {
    await my.query('CREATE TABLE items (id INT PRIMARY KEY, v VARCHAR(10))')
    const r = await run(
      `insert into items values (1, 'a'), (2, 'b'), (3, 'c');
update items set v = 'x' where id >= 2;
delete from items where id = 3`,
      env(),
    )
    expect(r.state, JSON.stringify(r.tasks)).toBe('SUCCESS')
    expect(r.tasks.t!.outputs).toEqual({
      connection: 'db',
      statements: 3,
      rows_affected: [3, 2, 1],
    })
    const [rows] = await my.query('SELECT id, v FROM items ORDER BY id')
    expect(rows).toEqual([
      { id: 1, v: 'a' },
      { id: 2, v: 'x' },
    ])
  })

  it('a failing second statement rolls back the first', async () => {
    await my.query('CREATE TABLE keyed (id INT PRIMARY KEY)')
    await my.query('INSERT INTO keyed VALUES (1)')
    const r = await run('insert into keyed values (10);\ninsert into keyed values (1)', env())
    expect(r.state).toBe('FAILED')
    expect(r.tasks.t!.error!.code).toBe('E_SQL')
    expect(errorLines(r)[0]).toMatch(/^statement 2 of 2 at sql: line 2: db: Duplicate entry '1'/)
    const [rows] = await my.query('SELECT id FROM keyed ORDER BY id')
    expect(rows).toEqual([{ id: 1 }])
  })

  it('a syntax error: the server\'s "at line 3" of statement 2 is line 4 of the script', async () => {
    const r = await run("select 1;\nupdate items\nset v = 'y'\nwher id = 1", env())
    expect(r.tasks.t!.error!.code).toBe('E_SQL')
    const lines = errorLines(r)
    expect(lines[0]).toMatch(
      /^statement 2 of 2 at sql: line 4: db: You have an error in your SQL syntax/,
    )
    expect(lines[1]).toBe('  4 | wher id = 1')
  })
})

describe('push-down into SQLite', () => {
  const file = () => join(ws, 'lite.db')
  const env = () => ({ DB: `sqlite:${file()}` })

  it('commits all statements together; rows affected per statement', async () => {
    const r = await run(
      `create table items (id integer primary key, v text);
insert into items values (1, 'a'), (2, 'b');
update items set v = v || '!';
select * from items`,
      env(),
    )
    expect(r.state, JSON.stringify(r.tasks)).toBe('SUCCESS')
    expect(r.tasks.t!.outputs).toEqual({
      connection: 'db',
      statements: 4,
      rows_affected: [0, 2, 2, 2],
    })
    const db = new Sqlite(file(), { readonly: true })
    try {
      expect(db.prepare('select id, v from items order by id').all()).toEqual([
        { id: 1, v: 'a!' },
        { id: 2, v: 'b!' },
      ])
    } finally {
      db.close()
    }
  })

  it('a failing second statement rolls back the first (DDL too); the error names its line', async () => {
    const r = await run(
      "create table other (id integer);\n\ninsert into items values (1, 'dup')",
      env(),
    )
    expect(r.state).toBe('FAILED')
    expect(r.tasks.t!.error!.code).toBe('E_SQL')
    expect(errorLines(r).slice(0, 2)).toEqual([
      'statement 2 of 2 at sql: line 3: db: UNIQUE constraint failed: items.id (SQLITE_CONSTRAINT_PRIMARYKEY)',
      "  3 | insert into items values (1, 'dup')",
    ])
    const db = new Sqlite(file(), { readonly: true })
    try {
      const tables = db.prepare("select name from sqlite_master where type = 'table'").all()
      expect(tables).toEqual([{ name: 'items' }])
    } finally {
      db.close()
    }
  })

  it('a script of only comments is an error, not a silent success', async () => {
    const r = await run('-- nothing here;\n/* at all */', env())
    expect(r.tasks.t!.error!.code).toBe('E_SQL')
    expect(errorLines(r)[0]).toBe('the SQL has no statement')
  })
})
