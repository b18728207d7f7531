import { describe, expect, it } from 'vitest'
import { SluiceError } from '../../../../src/core/sluice-error.js'
import { duckdbSqlError } from '../../../../src/transforms/sql/duckdb-sql-error.js'
import { pushdownSqlError } from '../../../../src/transforms/sql/pushdown-sql-error.js'
import { sqlError } from '../../../../src/transforms/sql/sql-error.js'
import { splitSqlStatements } from '../../../../src/transforms/sql/split-sql-statements.js'
import { wrapDuckdbSql } from '../../../../src/transforms/sql/wrap-duckdb-sql.js'

describe('wrapDuckdbSql', () => {
  it('binds inputs as CTEs on one line; the user SQL starts on line 2', () => {
    const w = wrapDuckdbSql('select *\nfrom a;;  \n', [
      { id: 'a', relation: "read_parquet('/x/a.parquet')" },
      { id: 'b"c', relation: "read_parquet('/x/b.parquet')" },
    ])
    expect(w.lineOffset).toBe(1)
    expect(w.sql).toBe(
      `WITH "a" AS (SELECT * FROM read_parquet('/x/a.parquet')), "b""c" AS (SELECT * FROM read_parquet('/x/b.parquet')) SELECT * FROM (\nselect *\nfrom a\n)`,
    )
  })

  it('without inputs the SQL runs as written, ending in a newline (a trailing -- comment stays harmless)', () => {
    expect(wrapDuckdbSql('select 1 -- one;', [])).toEqual({
      sql: 'select 1 -- one\n',
      lineOffset: 0,
    })
  })
})

describe('duckdbSqlError', () => {
  const origin = { task: 'clean', text: 'select id,\n  amount\nFORM orders' }

  it('maps DuckDB line 4 through a one-line wrapper to line 3 with a caret', () => {
    const e = duckdbSqlError(
      new Error(
        'Failed to extract statements: Parser Error: syntax error at or near "orders"\n\nLINE 4: FORM orders\n             ^',
      ),
      origin,
      1,
      ['orders'],
    )
    expect(e.code).toBe('E_SQL')
    expect(e.retryable).toBe(false)
    expect(e.task).toBe('clean')
    expect(e.message.split('\n')).toEqual([
      'sql: line 3, col 6: Parser Error: syntax error at or near "orders"',
      '  3 | FORM orders',
      '    |      ^',
      'hint: fix the SQL syntax near the caret; `sluice render PIPELINE TASK` prints the SQL as it runs',
    ])
  })

  it('a Binder error in a .sql file: file:line:col, the hint names the upstream tables', () => {
    const e = duckdbSqlError(
      new Error(
        'Binder Error: Referenced column "amount" not found in FROM clause!\nCandidate bindings: "id"\n\nLINE 2:   amount\n          ^',
      ),
      { ...origin, file: 'sql/clean.sql' },
      0,
      ['orders', 'customers'],
    )
    expect(e.location).toEqual({ file: 'sql/clean.sql', line: 2, col: 3 })
    const lines = e.message.split('\n')
    expect(lines[0]).toBe(
      'sql/clean.sql:2:3: Binder Error: Referenced column "amount" not found in FROM clause! Candidate bindings: "id"',
    )
    expect(lines[2]).toBe('    |   ^')
    expect(lines[3]).toContain('(here: orders, customers)')
  })

  it('DuckDB shortens long lines with "...": the column is found in the full line', () => {
    const long = `select ${'x, '.repeat(40)}nope from t`
    const at = long.indexOf('nope')
    const shown = `...${long.slice(at - 10, at + 8)}...`
    const e = duckdbSqlError(
      new Error(`Binder Error: no nope\n\nLINE 1: ${shown}\n${' '.repeat(8 + 3 + 10)}^`),
      { task: 't', text: long },
      0,
      [],
    )
    expect(e.message.split('\n')[0]).toBe(`sql: line 1, col ${at + 1}: Binder Error: no nope`)
    expect(e.message).toContain('(here: none)')
  })

  it('a line inside the wrapper (not the user SQL) or no LINE at all: task and message only', () => {
    const inWrapper = duckdbSqlError(
      new Error('IO Error: No files found that match the pattern "x"\n\nLINE 1: WITH\n        ^'),
      origin,
      1,
      [],
    )
    expect(inWrapper.message.split('\n')[0]).toBe(
      'IO Error: No files found that match the pattern "x"',
    )
    expect(inWrapper.code).toBe('E_TASK_FAILED') // I/O trouble may pass on another attempt
    expect(inWrapper.retryable).toBe(true)
    const plain = duckdbSqlError(
      new Error("Conversion Error: Could not convert string 'a' to INT32"),
      origin,
      1,
      [],
    )
    expect(plain.code).toBe('E_SQL')
    expect(plain.message.split('\n')).toHaveLength(2) // message and hint, no snippet
  })

  it('passes SluiceErrors through unchanged', () => {
    const mine = new SluiceError('E_CANCELLED', 'stop')
    expect(duckdbSqlError(mine, origin, 1, [])).toBe(mine)
  })
})

describe('sqlError and pushdownSqlError', () => {
  const text = 'insert into t values (1);\nupdate t\n  set a = nope\nwhere 1 = 1;'
  const statements = splitSqlStatements(text, 'postgres')

  it('a PostgreSQL position inside statement 2 becomes line 3, col 11 of the script', () => {
    const offset = statements[1]!.text.indexOf('nope') // 0-based within the statement
    const e = pushdownSqlError(
      { task: 'up', text },
      statements,
      {
        statement: 1,
        offset,
        error: new SluiceError('E_TASK_FAILED', 'wh: column "nope" does not exist', {
          retryable: false,
        }),
      },
      'wh',
    )
    expect(e.code).toBe('E_SQL')
    expect(e.message.split('\n')).toEqual([
      'statement 2 of 2 at sql: line 3, col 11: wh: column "nope" does not exist',
      '  3 |   set a = nope',
      '    |           ^',
      'hint: nothing was committed in wh (the statements run in one transaction); fix statement 2',
    ])
  })

  it('a MySQL "at line 2" of statement 2 in a .sql file is file line 3; no column', () => {
    const e = pushdownSqlError(
      { task: 'up', text, file: 'up.sql' },
      statements,
      {
        statement: 1,
        line: 2,
        error: new SluiceError('E_TASK_FAILED', 'my: syntax error', { retryable: false }),
      },
      'my',
    )
    expect(e.message.split('\n').slice(0, 2)).toEqual([
      'statement 2 of 2 at up.sql:3: my: syntax error',
      '  3 |   set a = nope',
    ])
    expect(e.location).toEqual({ file: 'up.sql', line: 3 })
  })

  it('no position (SQLite): the first line of the statement; a deadlock keeps its retryable code', () => {
    const e = pushdownSqlError(
      { task: 'up', text },
      statements,
      {
        statement: 0,
        error: new SluiceError('E_NETWORK', 'lite: database is locked', { retryable: true }),
      },
      'lite',
    )
    expect(e.code).toBe('E_NETWORK')
    expect(e.retryable).toBe(true)
    expect(e.message.split('\n')[0]).toBe(
      'statement 1 of 2 at sql: line 1: lite: database is locked',
    )
  })

  it('sqlError ignores a line outside the text', () => {
    const e = sqlError({ task: 't', text: 'select 1' }, { line: 5, col: 2 }, 'boom', {
      hint: 'h',
    })
    expect(e.message).toBe('boom\nhint: h')
    expect(e.location).toBeUndefined()
  })
})
