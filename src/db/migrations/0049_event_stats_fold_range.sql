-- E14/N3: the fold takes the log's oldest rows by an id range (the primary key) instead of
-- `id IN (… LIMIT n FOR UPDATE SKIP LOCKED)`, which PostgreSQL ran as a scan of the whole log,
-- dead rows included: between the once-a-minute vacuums the log holds every row folded since,
-- and under heavy intake a fold took a second (10,000 rows over 150,000 dead ones: 1.2 s, now
-- 0.1 s). Rows a writer has not committed yet are not visible to the delete and wait for the
-- next fold, as before; a second fold at the same moment waits on the first's row locks and
-- finds the rows gone. The villages of the distinct places are looked up once each
-- (MATERIALIZED), not once per log row.
-- The function is generated in 0046 from pieces shared with the rebuild; it is edited here in place.
DO $$
DECLARE
  d text := pg_get_functiondef('event_stats_fold'::regproc);
  before_range text := 'WHERE id IN (SELECT id FROM event_stats_log ORDER BY id LIMIT max_rows FOR UPDATE SKIP LOCKED)';
  before_v text := 'v AS (SELECT';
BEGIN
  IF position(before_range IN d) = 0 OR position(before_v IN d) = 0 THEN
    RAISE EXCEPTION 'event_stats_fold is not the function 0046 made';
  END IF;
  d := replace(d, before_range, 'WHERE id <= (SELECT max(l.id) FROM (SELECT id FROM event_stats_log ORDER BY id LIMIT max_rows) l)');
  d := replace(d, before_v, 'v AS MATERIALIZED (SELECT');
  EXECUTE d;
END $$;
