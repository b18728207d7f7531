-- 250 new events. The first five carry the newest timestamp already loaded
-- (2026-01-01 00:08:20+00, that of id 1000): the watermark is (updated_at, id), so they are
-- loaded too, and no loaded row is read again.
INSERT INTO events
SELECT g,
       (ARRAY['signup', 'order', 'refund'])[1 + g % 3],
       round((g * 7.31)::numeric % 500, 2),
       jsonb_build_object('seq', g, 'tag', 'batch-2'),
       CASE WHEN g <= 1005 THEN timestamptz '2026-01-01 00:08:20+00'
            ELSE timestamptz '2026-01-02 00:00:00+00' + g * interval '1 second' END
FROM generate_series(1001, 1250) AS g;
