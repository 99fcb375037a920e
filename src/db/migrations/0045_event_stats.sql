-- E14 metrics without scanning every event: a rollup per (village, China month, category).
-- Counts by state, tier and channel are arrays in the order of event_stats_dims() (the same
-- order as EVENT_STATES, TIERS and CHANNELS in src/domain/events/model.ts; a test compares
-- them). "village_path" is the place's village, or the place itself when it lies at village
-- level or above, so a subtree filter on any region at village level or above selects exactly
-- its events. Time-dependent figures (overdue, open stays' dwell) are computed at read time.
--
-- Cheap for writers: statement-level triggers (transition tables) append one set-based delta
-- per statement to event_stats_delta (no row locks to wait for when many reports hit one village
-- at once); a job folds the deltas into event_stats every few seconds; readers add both.

CREATE FUNCTION event_stats_dims(OUT states text[], OUT tiers text[], OUT channels text[]) LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['open','in_progress','rectifying','resolved','closed','rejected','merged'],
         ARRAY['grid','grid_leader','village','station','county','city','department','enforcement','cadre'],
         ARRAY['grid_patrol','department_patrol','public_report','self_inspection','supervision','external']
$$;

CREATE TABLE event_stats (
  village_path text NOT NULL,
  month date NOT NULL,
  category_code text NOT NULL,
  state_n int[] NOT NULL,
  tier_n int[] NOT NULL,
  channel_n int[] NOT NULL,
  total int NOT NULL,
  grid_collected int NOT NULL,
  self_closed int NOT NULL,
  closed int NOT NULL,
  late_closed int NOT NULL,
  due_closed int NOT NULL,
  close_ms double precision NOT NULL,
  dwell_n int[] NOT NULL,
  dwell_done_ms double precision[] NOT NULL,
  dwell_open int[] NOT NULL,
  dwell_open_entered double precision[] NOT NULL
);
CREATE UNIQUE INDEX event_stats_key ON event_stats (village_path text_pattern_ops, month, category_code);
COMMENT ON TABLE event_stats IS 'E14: per village × China month × category sums of events (by state/tier/channel, closure, lateness) and of tier stays.';
COMMENT ON COLUMN event_stats.dwell_open_entered IS 'Per tier: sum of epoch seconds of entered_at of stays still open (their dwell = open × now − this).';

CREATE TABLE event_stats_delta (LIKE event_stats, id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
CREATE INDEX event_stats_delta_path ON event_stats_delta (village_path text_pattern_ops);
COMMENT ON TABLE event_stats_delta IS 'E14: changes to event_stats not yet folded in (job events.stats).';

CREATE FUNCTION event_stats_key_path(p text) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT COALESCE((SELECT r.path FROM regions r
                    WHERE r.id = ANY(string_to_array(trim(both '/' from p), '/')::bigint[]) AND r.level = 'village' LIMIT 1), p)
$$;

-- Statement-level triggers: INSERT, UPDATE and DELETE each name their own transition tables, so
-- each gets its own function, created here from one template (%1$s = the changed row images,
-- with sg = +1 for a new image and −1 for an old one).
DO $do$
DECLARE
  event_delta text := $t$
  INSERT INTO event_stats_delta (village_path, month, category_code, state_n, tier_n, channel_n, total, grid_collected, self_closed,
                                 closed, late_closed, due_closed, close_ms, dwell_n, dwell_done_ms, dwell_open, dwell_open_entered)
  SELECT event_stats_key_path(r.region_path), date_trunc('month', r.created_at AT TIME ZONE 'Asia/Shanghai')::date, COALESCE(r.category_code, ''),
         ARRAY[sum(r.sg * (r.state = 'open')::int), sum(r.sg * (r.state = 'in_progress')::int), sum(r.sg * (r.state = 'rectifying')::int),
               sum(r.sg * (r.state = 'resolved')::int), sum(r.sg * (r.state = 'closed')::int), sum(r.sg * (r.state = 'rejected')::int),
               sum(r.sg * (r.state = 'merged')::int)]::int[],
         ARRAY[sum(r.sg * (r.tier = 'grid')::int), sum(r.sg * (r.tier = 'grid_leader')::int), sum(r.sg * (r.tier = 'village')::int),
               sum(r.sg * (r.tier = 'station')::int), sum(r.sg * (r.tier = 'county')::int), sum(r.sg * (r.tier = 'city')::int),
               sum(r.sg * (r.tier = 'department')::int), sum(r.sg * (r.tier = 'enforcement')::int), sum(r.sg * (r.tier = 'cadre')::int)]::int[],
         ARRAY[sum(r.sg * (r.channel = 'grid_patrol')::int), sum(r.sg * (r.channel = 'department_patrol')::int),
               sum(r.sg * (r.channel = 'public_report')::int), sum(r.sg * (r.channel = 'self_inspection')::int),
               sum(r.sg * (r.channel = 'supervision')::int), sum(r.sg * (r.channel = 'external')::int)]::int[],
         sum(r.sg * (r.state <> 'merged')::int),
         sum(r.sg * (r.channel = 'grid_patrol' AND r.state <> 'merged')::int),
         sum(r.sg * (r.channel = 'grid_patrol' AND r.state = 'closed' AND r.tier IN ('grid','grid_leader'))::int),
         sum(r.sg * (r.state = 'closed')::int),
         sum(r.sg * (r.state = 'closed' AND r.deadline IS NOT NULL AND COALESCE(r.resolved_at, r.closed_at) > r.deadline)::int),
         sum(r.sg * (r.state = 'closed' AND r.deadline IS NOT NULL)::int),
         COALESCE(sum(r.sg * EXTRACT(EPOCH FROM (r.closed_at - r.created_at)) * 1000) FILTER (WHERE r.state = 'closed'), 0),
         array_fill(0, ARRAY[9]), array_fill(0::double precision, ARRAY[9]), array_fill(0, ARRAY[9]), array_fill(0::double precision, ARRAY[9])
    FROM (%1$s) r
   GROUP BY 1, 2, 3$t$;
  event_cols text := 'region_path, created_at, category_code, state, tier, channel, deadline, resolved_at, closed_at';
  stay_delta text := $t$
  INSERT INTO event_stats_delta (village_path, month, category_code, state_n, tier_n, channel_n, total, grid_collected, self_closed,
                                 closed, late_closed, due_closed, close_ms, dwell_n, dwell_done_ms, dwell_open, dwell_open_entered)
  SELECT event_stats_key_path(e.region_path), date_trunc('month', e.created_at AT TIME ZONE 'Asia/Shanghai')::date, COALESCE(e.category_code, ''),
         array_fill(0, ARRAY[7]), array_fill(0, ARRAY[9]), array_fill(0, ARRAY[6]), 0, 0, 0, 0, 0, 0, 0,
         ARRAY[%2$s]::int[], ARRAY[%3$s]::double precision[], ARRAY[%4$s]::int[], ARRAY[%5$s]::double precision[]
    FROM (%1$s) d JOIN events e ON e.id = d.event_id
   GROUP BY 1, 2, 3$t$;
  n_parts text;
  done_parts text;
  open_parts text;
  entered_parts text;
  ins text;
  upd text;
  del text;
BEGIN
  SELECT string_agg(format('sum(d.sg * (d.tier = %L)::int)', t), ', ' ORDER BY k),
         string_agg(format('COALESCE(sum(d.sg * EXTRACT(EPOCH FROM (d.left_at - d.entered_at)) * 1000) FILTER (WHERE d.tier = %L AND d.left_at IS NOT NULL), 0)', t), ', ' ORDER BY k),
         string_agg(format('sum(d.sg * (d.tier = %L AND d.left_at IS NULL)::int)', t), ', ' ORDER BY k),
         string_agg(format('COALESCE(sum(d.sg * EXTRACT(EPOCH FROM d.entered_at)) FILTER (WHERE d.tier = %L AND d.left_at IS NULL), 0)', t), ', ' ORDER BY k)
    INTO n_parts, done_parts, open_parts, entered_parts
    FROM unnest((event_stats_dims()).tiers) WITH ORDINALITY AS x(t, k);

  ins := format('SELECT 1 AS sg, %s FROM new_rows', event_cols);
  del := format('SELECT -1 AS sg, %s FROM old_rows', event_cols);
  -- only updates that move a figure: a version bump, a hotspot flag or a new holder at the same tier add nothing
  upd := 'SELECT v.* FROM new_rows n JOIN old_rows o ON o.id = n.id
            CROSS JOIN LATERAL (VALUES (1, n.region_path, n.created_at, n.category_code, n.state, n.tier, n.channel, n.deadline, n.resolved_at, n.closed_at),
                                       (-1, o.region_path, o.created_at, o.category_code, o.state, o.tier, o.channel, o.deadline, o.resolved_at, o.closed_at))
                 AS v(sg, region_path, created_at, category_code, state, tier, channel, deadline, resolved_at, closed_at)
           WHERE (n.region_path, n.created_at, n.category_code, n.state, n.tier, n.channel, n.deadline, n.resolved_at, n.closed_at)
                 IS DISTINCT FROM (o.region_path, o.created_at, o.category_code, o.state, o.tier, o.channel, o.deadline, o.resolved_at, o.closed_at)';
  EXECUTE format('CREATE FUNCTION event_stats_events_ins() RETURNS trigger LANGUAGE plpgsql AS %L',
                 'BEGIN ' || format(event_delta, ins) || '; RETURN NULL; END');
  EXECUTE format('CREATE FUNCTION event_stats_events_upd() RETURNS trigger LANGUAGE plpgsql AS %L',
                 'BEGIN ' || format(event_delta, upd) || '; RETURN NULL; END');
  EXECUTE format('CREATE FUNCTION event_stats_events_del() RETURNS trigger LANGUAGE plpgsql AS %L',
                 'BEGIN ' || format(event_delta, del) || '; RETURN NULL; END');

  ins := 'SELECT 1 AS sg, event_id, tier, entered_at, left_at FROM new_rows';
  del := 'SELECT -1 AS sg, event_id, tier, entered_at, left_at FROM old_rows';
  upd := 'SELECT v.* FROM new_rows n JOIN old_rows o ON (o.event_id, o.entered_at, o.tier) = (n.event_id, n.entered_at, n.tier)
            CROSS JOIN LATERAL (VALUES (1, n.event_id, n.tier, n.entered_at, n.left_at), (-1, o.event_id, o.tier, o.entered_at, o.left_at))
                 AS v(sg, event_id, tier, entered_at, left_at)
           WHERE n.left_at IS DISTINCT FROM o.left_at';
  EXECUTE format('CREATE FUNCTION event_stats_stays_ins() RETURNS trigger LANGUAGE plpgsql AS %L',
                 'BEGIN ' || format(stay_delta, ins, n_parts, done_parts, open_parts, entered_parts) || '; RETURN NULL; END');
  EXECUTE format('CREATE FUNCTION event_stats_stays_upd() RETURNS trigger LANGUAGE plpgsql AS %L',
                 'BEGIN ' || format(stay_delta, upd, n_parts, done_parts, open_parts, entered_parts) || '; RETURN NULL; END');
  EXECUTE format('CREATE FUNCTION event_stats_stays_del() RETURNS trigger LANGUAGE plpgsql AS %L',
                 'BEGIN ' || format(stay_delta, del, n_parts, done_parts, open_parts, entered_parts) || '; RETURN NULL; END');

  -- event_stats_rebuild(): the rollup recomputed from events and stays, set-based (after a bulk
  -- load with the triggers off, or to repair); folded by the caller with event_stats_fold.
  EXECUTE format('CREATE FUNCTION event_stats_rebuild() RETURNS void LANGUAGE plpgsql AS %L',
                 'BEGIN DELETE FROM event_stats; DELETE FROM event_stats_delta; '
                 || format(event_delta, format('SELECT 1 AS sg, %s FROM events', event_cols)) || '; '
                 || format(stay_delta, 'SELECT 1 AS sg, event_id, tier, entered_at, left_at FROM event_tier_dwell',
                           n_parts, done_parts, open_parts, entered_parts)
                 || '; END');
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

CREATE FUNCTION event_stats_add(a anyarray, b anyarray) RETURNS anyarray LANGUAGE sql IMMUTABLE AS $$
  SELECT array_agg(x + y ORDER BY k) FROM unnest(a, b) WITH ORDINALITY AS t(x, y, k)
$$;

-- event_stats_fold(max_rows): folds up to max_rows of the oldest deltas into event_stats,
-- set-based, in key order (no lock-order deadlocks between two folders). Returns how many
-- deltas were folded.
DO $do$
DECLARE
  arrays constant text[][] := ARRAY[['state_n', '7', 'int[]'], ['tier_n', '9', 'int[]'], ['channel_n', '6', 'int[]'],
                                    ['dwell_n', '9', 'int[]'], ['dwell_done_ms', '9', 'double precision[]'],
                                    ['dwell_open', '9', 'int[]'], ['dwell_open_entered', '9', 'double precision[]']];
  scalars constant text[] := ARRAY['total', 'grid_collected', 'self_closed', 'closed', 'late_closed', 'due_closed', 'close_ms'];
  cols text := 'village_path, month, category_code';
  sums text := 'village_path, month, category_code';
  sets text := '';
  i int;
BEGIN
  FOR i IN 1 .. array_length(arrays, 1) LOOP
    cols := cols || ', ' || arrays[i][1];
    sums := sums || ', ARRAY[' || (SELECT string_agg(format('sum(%I[%s])', arrays[i][1], k), ', ' ORDER BY k)
                                     FROM generate_series(1, arrays[i][2]::int) k) || ']::' || arrays[i][3];
    sets := sets || format('%1$I = event_stats_add(t.%1$I, EXCLUDED.%1$I), ', arrays[i][1]);
  END LOOP;
  FOR i IN 1 .. array_length(scalars, 1) LOOP
    cols := cols || ', ' || scalars[i];
    sums := sums || format(', sum(%I)', scalars[i]);
    sets := sets || format('%1$I = t.%1$I + EXCLUDED.%1$I', scalars[i]) || CASE WHEN i < array_length(scalars, 1) THEN ', ' ELSE '' END;
  END LOOP;
  EXECUTE format($f$
    CREATE FUNCTION event_stats_fold(max_rows int) RETURNS int LANGUAGE plpgsql AS %L
  $f$, format($b$
    DECLARE folded int;
    BEGIN
      WITH d AS (
        DELETE FROM event_stats_delta WHERE id IN (SELECT id FROM event_stats_delta ORDER BY id LIMIT max_rows FOR UPDATE SKIP LOCKED)
        RETURNING *),
      ins AS (
        INSERT INTO event_stats AS t (%1$s)
        SELECT %2$s FROM d GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (village_path, month, category_code) DO UPDATE SET %3$s)
      SELECT count(*) INTO folded FROM d;
      RETURN folded;
    END
  $b$, cols, sums, sets));
END $do$;

-- What is already there.
SELECT event_stats_rebuild();
SELECT event_stats_fold(2147483647);

-- Folded deltas leave dead rows behind; let autovacuum clear them early (the fold job also
-- vacuums the table after a fold on a server).
ALTER TABLE event_stats_delta SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000);

-- What is read live, from small partial indexes: the running events with their deadlines
-- (overdue) and the closed ones with their times (median time to close).
CREATE INDEX events_active_path_idx ON events (region_path text_pattern_ops) INCLUDE (deadline, created_at, category_code)
  WHERE state IN ('open','in_progress','rectifying');
CREATE INDEX events_closed_path_idx ON events (region_path text_pattern_ops) INCLUDE (created_at, closed_at, category_code)
  WHERE state = 'closed';
