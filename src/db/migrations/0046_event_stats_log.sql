-- E14/N3: the rollup's triggers cost intake less. The statement triggers of 0045 aggregated every
-- statement's rows into a delta on the spot (some forty sums, and the village lookup through a
-- SQL function that PostgreSQL plans again on every call): about 0.2–0.4 ms per statement, on
-- the two inserts of every new event. Now they only copy the changed row images, as they are,
-- into event_stats_log; the fold job aggregates them (and finds their village) set-based, and
-- readers aggregate what is not folded yet through the view event_stats_pending.
--
-- event_stats_pending keys its rows by the place's own path, not its village: a subtree filter
-- on a region at village level or above (the only filter the rollup answers) selects the same
-- rows either way, and the view needs no lookup.

-- What is pending in the old delta table is folded before the old functions go.
SELECT event_stats_fold(2147483647);
DROP TABLE event_stats_delta;

DROP TRIGGER event_stats_events_ins ON events;
DROP TRIGGER event_stats_events_upd ON events;
DROP TRIGGER event_stats_events_del ON events;
DROP TRIGGER event_stats_stays_ins ON event_tier_dwell;
DROP TRIGGER event_stats_stays_upd ON event_tier_dwell;
DROP TRIGGER event_stats_stays_del ON event_tier_dwell;
DROP FUNCTION event_stats_events_ins();
DROP FUNCTION event_stats_events_upd();
DROP FUNCTION event_stats_events_del();
DROP FUNCTION event_stats_stays_ins();
DROP FUNCTION event_stats_stays_upd();
DROP FUNCTION event_stats_stays_del();
DROP FUNCTION event_stats_rebuild();
DROP FUNCTION event_stats_fold(int);

-- One row per changed image: sg = +1 for a new image, −1 for an old one. An event image
-- (stay = false) carries the event's figures; a stay image (stay = true) carries the stay's tier
-- and times, with its event's place, month and category.
CREATE TABLE event_stats_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sg smallint NOT NULL,
  stay boolean NOT NULL,
  region_path text NOT NULL,
  created_at timestamptz NOT NULL,
  category_code text,
  state text,
  tier text NOT NULL,
  channel text,
  deadline timestamptz,
  resolved_at timestamptz,
  closed_at timestamptz,
  entered_at timestamptz,
  left_at timestamptz
);
COMMENT ON TABLE event_stats_log IS 'E14: changed event and tier-stay images not yet folded into event_stats (job events.stats).';
ALTER TABLE event_stats_log SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000);

DO $do$
DECLARE
  -- %1$s: the log rows to sum (alias r), %2$s: the key path expression
  event_sums text := $t$
  SELECT %2$s AS village_path, date_trunc('month', r.created_at AT TIME ZONE 'Asia/Shanghai')::date AS month, COALESCE(r.category_code, '') AS category_code,
         ARRAY[%3$s]::int[] AS state_n, ARRAY[%4$s]::int[] AS tier_n, ARRAY[%5$s]::int[] AS channel_n,
         sum(r.sg * (NOT r.stay AND r.state <> 'merged')::int)::int AS total,
         sum(r.sg * (NOT r.stay AND r.channel = 'grid_patrol' AND r.state <> 'merged')::int)::int AS grid_collected,
         sum(r.sg * (NOT r.stay AND r.channel = 'grid_patrol' AND r.state = 'closed' AND r.tier IN ('grid','grid_leader'))::int)::int AS self_closed,
         sum(r.sg * (NOT r.stay AND r.state = 'closed')::int)::int AS closed,
         sum(r.sg * (NOT r.stay AND r.state = 'closed' AND r.deadline IS NOT NULL AND COALESCE(r.resolved_at, r.closed_at) > r.deadline)::int)::int AS late_closed,
         sum(r.sg * (NOT r.stay AND r.state = 'closed' AND r.deadline IS NOT NULL)::int)::int AS due_closed,
         COALESCE(sum(r.sg * EXTRACT(EPOCH FROM (r.closed_at - r.created_at)) * 1000) FILTER (WHERE NOT r.stay AND r.state = 'closed'), 0)::double precision AS close_ms,
         ARRAY[%6$s]::int[] AS dwell_n, ARRAY[%7$s]::double precision[] AS dwell_done_ms,
         ARRAY[%8$s]::int[] AS dwell_open, ARRAY[%9$s]::double precision[] AS dwell_open_entered
    FROM (%1$s) r
   GROUP BY 1, 2, 3$t$;
  state_parts text;
  tier_parts text;
  channel_parts text;
  n_parts text;
  done_parts text;
  open_parts text;
  entered_parts text;
  -- the village of each distinct place path of the rows in `src` (alias: village map v)
  villages text := $v$SELECT x.region_path, COALESCE((SELECT r.path FROM regions r
                     WHERE r.id = ANY(string_to_array(trim(both '/' from x.region_path), '/')::bigint[]) AND r.level = 'village' LIMIT 1),
                     x.region_path) AS village_path
                FROM (SELECT DISTINCT region_path FROM src) x$v$;
  event_cols text := 'region_path, created_at, category_code, state, tier, channel, deadline, resolved_at, closed_at';
  arrays constant text[][] := ARRAY[['state_n', '7', 'int[]'], ['tier_n', '9', 'int[]'], ['channel_n', '6', 'int[]'],
                                    ['dwell_n', '9', 'int[]'], ['dwell_done_ms', '9', 'double precision[]'],
                                    ['dwell_open', '9', 'int[]'], ['dwell_open_entered', '9', 'double precision[]']];
  scalars constant text[] := ARRAY['total', 'grid_collected', 'self_closed', 'closed', 'late_closed', 'due_closed', 'close_ms'];
  -- event_stats's columns in the order of event_sums
  cols constant text := 'village_path, month, category_code, state_n, tier_n, channel_n, total, grid_collected, self_closed, closed, '
                        'late_closed, due_closed, close_ms, dwell_n, dwell_done_ms, dwell_open, dwell_open_entered';
  sets text := '';
  sums_by_place text;
  sums_by_village text;
  i int;
BEGIN
  SELECT string_agg(format('sum(r.sg * (NOT r.stay AND r.state = %L)::int)', s), ', ' ORDER BY k) INTO state_parts
    FROM unnest((event_stats_dims()).states) WITH ORDINALITY AS x(s, k);
  SELECT string_agg(format('sum(r.sg * (NOT r.stay AND r.tier = %L)::int)', t), ', ' ORDER BY k),
         string_agg(format('sum(r.sg * (r.stay AND r.tier = %L)::int)', t), ', ' ORDER BY k),
         string_agg(format('COALESCE(sum(r.sg * EXTRACT(EPOCH FROM (r.left_at - r.entered_at)) * 1000) FILTER (WHERE r.stay AND r.tier = %L AND r.left_at IS NOT NULL), 0)', t), ', ' ORDER BY k),
         string_agg(format('sum(r.sg * (r.stay AND r.tier = %L AND r.left_at IS NULL)::int)', t), ', ' ORDER BY k),
         string_agg(format('COALESCE(sum(r.sg * EXTRACT(EPOCH FROM r.entered_at)) FILTER (WHERE r.stay AND r.tier = %L AND r.left_at IS NULL), 0)', t), ', ' ORDER BY k)
    INTO tier_parts, n_parts, done_parts, open_parts, entered_parts
    FROM unnest((event_stats_dims()).tiers) WITH ORDINALITY AS x(t, k);
  SELECT string_agg(format('sum(r.sg * (NOT r.stay AND r.channel = %L)::int)', c), ', ' ORDER BY k) INTO channel_parts
    FROM unnest((event_stats_dims()).channels) WITH ORDINALITY AS x(c, k);

  -- The pending figures, by the place's own path.
  sums_by_place := format(event_sums, '%1$s', 'r.region_path', state_parts, tier_parts, channel_parts, n_parts, done_parts, open_parts, entered_parts);
  EXECUTE 'CREATE VIEW event_stats_pending AS ' || format(sums_by_place, 'SELECT * FROM event_stats_log');
  EXECUTE $c$COMMENT ON VIEW event_stats_pending IS 'E14: the figures of event_stats_log not folded yet, in event_stats''s shape, keyed by the place''s own path (a subtree filter at village level or above selects the same rows as in event_stats).'$c$;

  -- The triggers: copy the changed images. Updates that move no figure (a version bump, a
  -- hotspot flag, a new holder at the same tier) copy nothing.
  EXECUTE format($f$CREATE FUNCTION event_stats_events_ins() RETURNS trigger LANGUAGE plpgsql AS $b$BEGIN
    INSERT INTO event_stats_log (sg, stay, %1$s) SELECT 1, false, %1$s FROM new_rows; RETURN NULL; END$b$$f$, event_cols);
  EXECUTE format($f$CREATE FUNCTION event_stats_events_del() RETURNS trigger LANGUAGE plpgsql AS $b$BEGIN
    INSERT INTO event_stats_log (sg, stay, %1$s) SELECT -1, false, %1$s FROM old_rows; RETURN NULL; END$b$$f$, event_cols);
  EXECUTE format($f$CREATE FUNCTION event_stats_events_upd() RETURNS trigger LANGUAGE plpgsql AS $b$BEGIN
    INSERT INTO event_stats_log (sg, stay, %1$s)
    SELECT v.sg, false, v.region_path, v.created_at, v.category_code, v.state, v.tier, v.channel, v.deadline, v.resolved_at, v.closed_at
      FROM new_rows n JOIN old_rows o ON o.id = n.id
      CROSS JOIN LATERAL (VALUES (1, n.region_path, n.created_at, n.category_code, n.state, n.tier, n.channel, n.deadline, n.resolved_at, n.closed_at),
                                 (-1, o.region_path, o.created_at, o.category_code, o.state, o.tier, o.channel, o.deadline, o.resolved_at, o.closed_at))
           AS v(sg, region_path, created_at, category_code, state, tier, channel, deadline, resolved_at, closed_at)
     WHERE (n.region_path, n.created_at, n.category_code, n.state, n.tier, n.channel, n.deadline, n.resolved_at, n.closed_at)
           IS DISTINCT FROM (o.region_path, o.created_at, o.category_code, o.state, o.tier, o.channel, o.deadline, o.resolved_at, o.closed_at);
    RETURN NULL; END$b$$f$, event_cols);

  EXECUTE $f$CREATE FUNCTION event_stats_stays_ins() RETURNS trigger LANGUAGE plpgsql AS $b$BEGIN
    INSERT INTO event_stats_log (sg, stay, region_path, created_at, category_code, tier, entered_at, left_at)
    SELECT 1, true, e.region_path, e.created_at, e.category_code, d.tier, d.entered_at, d.left_at FROM new_rows d JOIN events e ON e.id = d.event_id;
    RETURN NULL; END$b$$f$;
  EXECUTE $f$CREATE FUNCTION event_stats_stays_del() RETURNS trigger LANGUAGE plpgsql AS $b$BEGIN
    INSERT INTO event_stats_log (sg, stay, region_path, created_at, category_code, tier, entered_at, left_at)
    SELECT -1, true, e.region_path, e.created_at, e.category_code, d.tier, d.entered_at, d.left_at FROM old_rows d JOIN events e ON e.id = d.event_id;
    RETURN NULL; END$b$$f$;
  EXECUTE $f$CREATE FUNCTION event_stats_stays_upd() RETURNS trigger LANGUAGE plpgsql AS $b$BEGIN
    INSERT INTO event_stats_log (sg, stay, region_path, created_at, category_code, tier, entered_at, left_at)
    SELECT v.sg, true, e.region_path, e.created_at, e.category_code, v.tier, v.entered_at, v.left_at
      FROM new_rows n JOIN old_rows o ON (o.event_id, o.entered_at, o.tier) = (n.event_id, n.entered_at, n.tier)
      CROSS JOIN LATERAL (VALUES (1, n.tier, n.entered_at, n.left_at), (-1, o.tier, o.entered_at, o.left_at)) AS v(sg, tier, entered_at, left_at)
      JOIN events e ON e.id = n.event_id
     WHERE n.left_at IS DISTINCT FROM o.left_at;
    RETURN NULL; END$b$$f$;

  -- The rows of `src` summed by their place's village, for event_stats.
  sums_by_village := format(event_sums, 'SELECT src.*, v.village_path AS key FROM src JOIN v USING (region_path)', 'r.key',
                            state_parts, tier_parts, channel_parts, n_parts, done_parts, open_parts, entered_parts);

  -- event_stats_fold(max_rows): folds up to max_rows of the oldest log rows into event_stats,
  -- set-based: each distinct place looked up once for its village, the rows summed by village,
  -- upserted in key order (no lock-order deadlocks between two folders), arrays added element by
  -- element in place. Returns how many log rows were folded.
  FOR i IN 1 .. array_length(arrays, 1) LOOP
    sets := sets || format('%1$I = ARRAY[', arrays[i][1])
            || (SELECT string_agg(format('t.%1$I[%2$s] + EXCLUDED.%1$I[%2$s]', arrays[i][1], k), ', ' ORDER BY k) FROM generate_series(1, arrays[i][2]::int) k)
            || ']::' || arrays[i][3] || ', ';
  END LOOP;
  FOR i IN 1 .. array_length(scalars, 1) LOOP
    sets := sets || format('%1$I = t.%1$I + EXCLUDED.%1$I', scalars[i]) || CASE WHEN i < array_length(scalars, 1) THEN ', ' ELSE '' END;
  END LOOP;
  EXECUTE format($f$CREATE FUNCTION event_stats_fold(max_rows int) RETURNS int LANGUAGE plpgsql AS %L$f$, format($b$
    DECLARE folded int;
    BEGIN
      WITH src AS (
        DELETE FROM event_stats_log WHERE id IN (SELECT id FROM event_stats_log ORDER BY id LIMIT max_rows FOR UPDATE SKIP LOCKED)
        RETURNING *),
      v AS (%1$s),
      ins AS (
        INSERT INTO event_stats AS t (%2$s)
        SELECT * FROM (%3$s) s ORDER BY 1, 2, 3
        ON CONFLICT (village_path, month, category_code) DO UPDATE SET %4$s)
      SELECT count(*) INTO folded FROM src;
      RETURN folded;
    END
  $b$, villages, cols, sums_by_village, sets));

  -- event_stats_rebuild(): the rollup recomputed from events and stays, set-based and straight
  -- into event_stats (after a bulk load with the insert triggers off, or to repair).
  EXECUTE format($f$CREATE FUNCTION event_stats_rebuild() RETURNS void LANGUAGE plpgsql AS %L$f$, format($b$BEGIN
    DELETE FROM event_stats;
    DELETE FROM event_stats_log;
    WITH src AS (
      SELECT 1 AS sg, false AS stay, %1$s, NULL::timestamptz AS entered_at, NULL::timestamptz AS left_at FROM events
      UNION ALL
      SELECT 1, true, e.region_path, e.created_at, e.category_code, NULL, d.tier, NULL, NULL, NULL, NULL, d.entered_at, d.left_at
        FROM event_tier_dwell d JOIN events e ON e.id = d.event_id),
    v AS (%2$s)
    INSERT INTO event_stats (%3$s) %4$s;
    END$b$, event_cols, villages, cols, sums_by_village));
END $do$;

CREATE TRIGGER event_stats_events_ins AFTER INSERT ON events REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION event_stats_events_ins();
CREATE TRIGGER event_stats_events_upd AFTER UPDATE ON events REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION event_stats_events_upd();
CREATE TRIGGER event_stats_events_del AFTER DELETE ON events REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION event_stats_events_del();
CREATE TRIGGER event_stats_stays_ins AFTER INSERT ON event_tier_dwell REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION event_stats_stays_ins();
CREATE TRIGGER event_stats_stays_upd AFTER UPDATE ON event_tier_dwell REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION event_stats_stays_upd();
CREATE TRIGGER event_stats_stays_del AFTER DELETE ON event_tier_dwell REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION event_stats_stays_del();

-- The village lookup now lives in the fold.
DROP FUNCTION event_stats_key_path(text);
DROP FUNCTION event_stats_add(anyarray, anyarray);
