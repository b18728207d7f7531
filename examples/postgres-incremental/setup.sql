-- Creates and fills the source table `events` (1,000 rows), and resets what the example's
-- pipeline wrote before (its copy and its watermark), so the example can be run from scratch.
DROP TABLE IF EXISTS events, events_copy;
DO $$
BEGIN
  IF to_regclass('_sluice_state') IS NOT NULL THEN
    DELETE FROM _sluice_state WHERE pipeline = 'postgres_incremental';
  END IF;
END $$;

CREATE TABLE events (
  id         bigint PRIMARY KEY,
  kind       text NOT NULL,
  amount     numeric(12, 2),
  payload    jsonb,
  updated_at timestamptz NOT NULL
);

-- two events per second: rows share timestamps, so the (updated_at, id) tie-breaker matters
INSERT INTO events
SELECT g,
       (ARRAY['signup', 'order', 'refund'])[1 + g % 3],
       round((g * 7.31)::numeric % 500, 2),
       jsonb_build_object('seq', g, 'tag', 'batch-1'),
       timestamptz '2026-01-01 00:00:00+00' + (g / 2) * interval '1 second'
FROM generate_series(1, 1000) AS g;
