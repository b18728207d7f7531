import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import mysql from 'mysql2/promise'
import type { TaskContext } from '../../src/engine/task-context.js'

interface SetupArgs {
  /** mysql://user:password@host:3306/database */
  readonly url: string
  /** SQL file (several statements), relative to the pipeline file. */
  readonly file: string
}

/** Runs a SQL file against a MySQL/MariaDB database: here, creates and fills `orders`. */
export async function runSqlFile(ctx: TaskContext): Promise<{ file: string }> {
  const { url, file } = (ctx.task as { args?: SetupArgs }).args!
  const sql = await readFile(resolve(ctx.baseDir, file), 'utf8')
  const conn = await mysql.createConnection({
    uri: url.replace(/^mariadb:/, 'mysql:'),
    multipleStatements: true,
  })
  try {
    await conn.query(sql)
  } finally {
    await conn.end()
  }
  ctx.log(`ran ${file}`)
  return { file }
}
