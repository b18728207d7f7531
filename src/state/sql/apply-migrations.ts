import { SluiceError } from '../../core/sluice-error.js'
import type { Migration } from '../migrations/migration.js'
import type { SqlDriver } from './sql-driver.js'

/**
 * Brings the schema up to the last known migration, in one transaction. Idempotent. Refuses a
 * database whose schema is newer than this code (E_STATE_SCHEMA_NEWER). Returns the version.
 */
export async function applyMigrations(
  driver: SqlDriver,
  migrations: readonly Migration[],
): Promise<number> {
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0)
  return driver.transaction(async (tx) => {
    await driver.beforeMigrations(tx)
    await tx.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    )
    const { rows } = await tx.query<{ v: number | string | null }>(
      'SELECT MAX(version) AS v FROM schema_migrations',
    )
    const current = Number(rows[0]?.v ?? 0)
    if (current > latest) {
      throw new SluiceError(
        'E_STATE_SCHEMA_NEWER',
        `state store schema is at version ${current}, this sluice knows up to ${latest}`,
        {
          hint: 'upgrade sluice, or point it at another state store (--workspace, SLUICE_STATE_URL)',
        },
      )
    }
    const pending = [...migrations]
      .filter((m) => m.version > current)
      .sort((a, b) => a.version - b.version)
    for (const m of pending) {
      await tx.exec(m.sql)
      await tx.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        m.version,
        m.name,
        new Date().toISOString(),
      ])
    }
    return latest
  })
}
