import { describe, expect, it } from 'vitest'
import { lineAt, splitSqlStatements } from '../../../../src/transforms/sql/split-sql-statements.js'

const texts = (sql: string, d: Parameters<typeof splitSqlStatements>[1] = 'postgres') =>
  splitSqlStatements(sql, d).map((s) => s.text)

describe('splitSqlStatements', () => {
  it('splits on ; and keeps where each statement starts', () => {
    const sql = 'insert into t values (1);\n\n  update t set a = 2;\ndelete from t'
    expect(splitSqlStatements(sql, 'postgres')).toEqual([
      { text: 'insert into t values (1)', offset: 0, line: 1 },
      { text: 'update t set a = 2', offset: 29, line: 3 },
      { text: 'delete from t', offset: 49, line: 4 },
    ])
  })

  it('an empty script, only blanks, only comments or only ; give no statement', () => {
    expect(texts('')).toEqual([])
    expect(texts('  \n ; ;; ')).toEqual([])
    expect(texts('-- nothing; here\n/* nor; here */')).toEqual([])
  })

  it('a single statement with and without a trailing ;', () => {
    expect(texts('select 1')).toEqual(['select 1'])
    expect(texts('select 1;\n')).toEqual(['select 1'])
  })

  it('ignores ; inside quotes, doubled quotes, comments and parentheses', () => {
    const sql = `insert into t values ('a;b', 'it''s;', "x;y"); -- c;d
/* e;f */ select (1;2); select 3`
    expect(texts(sql)).toEqual([
      `insert into t values ('a;b', 'it''s;', "x;y")`,
      'select (1;2)', // comments before a statement are not part of it
      'select 3',
    ])
  })

  it('PostgreSQL dollar quoting keeps a function body whole; $1 is not a quote', () => {
    const sql = `create function f() returns int as $body$ begin; return 1; end $body$ language plpgsql;
select $$a;b$$; select $1`
    expect(texts(sql)).toEqual([
      'create function f() returns int as $body$ begin; return 1; end $body$ language plpgsql',
      'select $$a;b$$',
      'select $1',
    ])
  })

  it('MySQL: backticks, # comments and backslash escapes', () => {
    const sql = "insert into `a;b` values ('x\\';y'); # c;d\nselect 2"
    expect(texts(sql, 'mysql')).toEqual(["insert into `a;b` values ('x\\';y')", 'select 2'])
    // elsewhere a backslash is an ordinary character and # is not a comment
    expect(texts("select 'a\\'; select 2", 'sqlite')).toEqual(["select 'a\\'", 'select 2'])
  })

  it('an unterminated quote runs to the end (the database reports it)', () => {
    expect(texts("select 'abc; select 2")).toEqual(["select 'abc; select 2"])
  })
})

describe('lineAt', () => {
  it('counts lines before an offset', () => {
    expect(lineAt('a\nb\nc', 0)).toBe(1)
    expect(lineAt('a\nb\nc', 1)).toBe(1) // the newline itself is on line 1
    expect(lineAt('a\nb\nc', 2)).toBe(2)
    expect(lineAt('a\nb\nc', 4)).toBe(3)
  })
})
