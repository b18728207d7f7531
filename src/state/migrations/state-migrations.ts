import type { Migration } from './migration.js'

/** The dialects the state store runs on. */
export type StateDialect = 'postgres' | 'sqlite'

/**
 * The state store's schema, forward-only, for either dialect: the same tables, columns and
 * indexes; only the auto-increment key is spelled per dialect. Timestamps are ISO-8601 UTC text
 * and JSON is text in both, so one store implementation reads either.
 */
export function stateMigrations(dialect: StateDialect): readonly Migration[] {
  const identity =
    dialect === 'postgres'
      ? 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY'
      : 'INTEGER PRIMARY KEY AUTOINCREMENT'
  return [
    {
      version: 1,
      name: 'initial',
      sql: `
  CREATE TABLE pipeline_versions (
    pipeline TEXT NOT NULL,
    version INTEGER NOT NULL,
    hash TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (pipeline, version),
    UNIQUE (pipeline, hash)
  );
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    pipeline TEXT NOT NULL,
    pipeline_hash TEXT NOT NULL,
    params TEXT NOT NULL,
    trigger_type TEXT NOT NULL,
    state TEXT NOT NULL,
    owner TEXT,
    heartbeat_at TEXT,
    cancel_requested_at TEXT,
    definition_path TEXT,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    error_code TEXT,
    error_message TEXT
  );
  CREATE INDEX runs_pipeline_created ON runs (pipeline, created_at);
  CREATE INDEX runs_state ON runs (state);
  CREATE TABLE tasks (
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    task_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    state TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (run_id, task_id)
  );
  CREATE TABLE task_attempts (
    run_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    error_code TEXT,
    error_message TEXT,
    retryable INTEGER,
    rows_in BIGINT,
    rows_out BIGINT,
    bytes BIGINT,
    duration_ms BIGINT,
    outputs TEXT,
    PRIMARY KEY (run_id, task_id, attempt),
    FOREIGN KEY (run_id, task_id) REFERENCES tasks (run_id, task_id) ON DELETE CASCADE
  );
  CREATE TABLE task_logs (
    id ${identity},
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    task_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    stream TEXT NOT NULL,
    text TEXT NOT NULL,
    at TEXT NOT NULL
  );
  CREATE INDEX task_logs_run ON task_logs (run_id, task_id, id);
  CREATE TABLE checkpoints (
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    task_id TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (run_id, task_id, key)
  );
  CREATE TABLE watermarks (
    pipeline TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (pipeline, key)
  );
  CREATE TABLE dead_letters (
    id ${identity},
    run_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    error_code TEXT NOT NULL,
    error_message TEXT NOT NULL,
    inputs TEXT NOT NULL,
    created_at TEXT NOT NULL,
    requeued_at TEXT
  );
  CREATE TABLE events (
    id ${identity},
    run_id TEXT REFERENCES runs (id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX events_run ON events (run_id, id);
`,
    },
    {
      version: 2,
      name: 'check results',
      sql: `
  CREATE TABLE check_results (
    id ${identity},
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    pipeline TEXT NOT NULL,
    task_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    name TEXT NOT NULL,
    check_type TEXT NOT NULL,
    severity TEXT NOT NULL,
    status TEXT NOT NULL,
    failing BIGINT NOT NULL,
    total BIGINT NOT NULL,
    message TEXT NOT NULL,
    sample TEXT NOT NULL,
    at TEXT NOT NULL
  );
  CREATE INDEX check_results_run ON check_results (run_id, task_id, id);
  CREATE INDEX check_results_history ON check_results (pipeline, name, at);
`,
    },
    {
      version: 3,
      name: 'schedules',
      sql: `
  ALTER TABLE runs ADD COLUMN group_id TEXT;
  ALTER TABLE runs ADD COLUMN scheduled_for TEXT;
  CREATE INDEX runs_group ON runs (group_id);
  CREATE INDEX runs_scheduled ON runs (pipeline, scheduled_for);
  CREATE TABLE schedules (
    pipeline TEXT PRIMARY KEY,
    paused INTEGER NOT NULL,
    reason TEXT,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
  );
  CREATE TABLE schedule_fires (
    pipeline TEXT NOT NULL,
    due_at TEXT NOT NULL,
    run_id TEXT,
    outcome TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (pipeline, due_at)
  );
  CREATE INDEX schedule_fires_outcome ON schedule_fires (pipeline, outcome, due_at);
  CREATE TABLE trigger_keys (
    pipeline TEXT NOT NULL,
    dedupe_key TEXT NOT NULL,
    run_id TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (pipeline, dedupe_key)
  );
`,
    },
  ]
}
