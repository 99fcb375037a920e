-- E14 metrics without scanning every event: a rollup per (village, China month, category) kept
-- by triggers on events and event_tier_dwell. Counts by state, tier and channel are arrays in the
-- order of event_stats_dims() (the same order as EVENT_STATES, TIERS and CHANNELS in
-- src/domain/events/model.ts; a test compares them). "village_path" is the place's village, or
-- the place itself when it lies at village level or above, so a subtree filter on any region at
-- village level or above selects exactly its events. Time-dependent figures (overdue, open
-- stays' dwell) are computed at read time from the sums kept here or from the events.

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
  total int NOT NULL DEFAULT 0,
  grid_collected int NOT NULL DEFAULT 0,
  self_closed int NOT NULL DEFAULT 0,
  closed int NOT NULL DEFAULT 0,
  late_closed int NOT NULL DEFAULT 0,
  due_closed int NOT NULL DEFAULT 0,
  close_ms double precision NOT NULL DEFAULT 0,
  dwell_n int[] NOT NULL,
  dwell_done_ms double precision[] NOT NULL,
  dwell_open int[] NOT NULL,
  dwell_open_entered double precision[] NOT NULL
);
CREATE UNIQUE INDEX event_stats_key ON event_stats (village_path text_pattern_ops, month, category_code);
COMMENT ON TABLE event_stats IS 'E14: per village × China month × category sums of events (by state/tier/channel, closure, lateness) and of tier stays, kept by triggers.';
COMMENT ON COLUMN event_stats.dwell_open_entered IS 'Per tier: sum of epoch seconds of entered_at of stays still open (their dwell = open × now − this).';

CREATE FUNCTION event_stats_key_path(p text) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT COALESCE((SELECT r.path FROM regions r
                    WHERE r.id = ANY(string_to_array(trim(both '/' from p), '/')::bigint[]) AND r.level = 'village' LIMIT 1), p)
$$;

CREATE FUNCTION event_stats_month(t timestamptz) RETURNS date LANGUAGE sql IMMUTABLE AS $$
  SELECT date_trunc('month', t AT TIME ZONE 'Asia/Shanghai')::date
$$;

CREATE FUNCTION event_stats_unit(n int, i int, v anyelement) RETURNS anyarray LANGUAGE sql IMMUTABLE AS $$
  SELECT array_agg(CASE WHEN k = i THEN v ELSE v - v END ORDER BY k) FROM generate_series(1, n) k
$$;

CREATE FUNCTION event_stats_add(a anyarray, b anyarray) RETURNS anyarray LANGUAGE sql IMMUTABLE AS $$
  SELECT array_agg(x + y ORDER BY k) FROM unnest(a, b) WITH ORDINALITY AS t(x, y, k)
$$;

CREATE FUNCTION event_stats_zero() RETURNS event_stats LANGUAGE sql IMMUTABLE AS $$
  SELECT ROW(NULL, NULL, NULL,
             array_fill(0, ARRAY[7]), array_fill(0, ARRAY[9]), array_fill(0, ARRAY[6]),
             0, 0, 0, 0, 0, 0, 0,
             array_fill(0, ARRAY[9]), array_fill(0::double precision, ARRAY[9]), array_fill(0, ARRAY[9]), array_fill(0::double precision, ARRAY[9]))::event_stats
$$;

-- One event's contribution (sign +1 or −1).
CREATE FUNCTION event_stats_of_event(e events, sign int) RETURNS event_stats LANGUAGE plpgsql STABLE AS $$
DECLARE
  d record := event_stats_dims();
  s event_stats := event_stats_zero();
BEGIN
  s.village_path := event_stats_key_path(e.region_path);
  s.month := event_stats_month(e.created_at);
  s.category_code := COALESCE(e.category_code, '');
  s.state_n := event_stats_unit(7, array_position(d.states, e.state), sign);
  s.tier_n := event_stats_unit(9, array_position(d.tiers, e.tier), sign);
  s.channel_n := event_stats_unit(6, array_position(d.channels, e.channel), sign);
  s.total := CASE WHEN e.state <> 'merged' THEN sign ELSE 0 END;
  s.grid_collected := CASE WHEN e.channel = 'grid_patrol' AND e.state <> 'merged' THEN sign ELSE 0 END;
  s.self_closed := CASE WHEN e.channel = 'grid_patrol' AND e.state = 'closed' AND e.tier IN ('grid','grid_leader') THEN sign ELSE 0 END;
  s.closed := CASE WHEN e.state = 'closed' THEN sign ELSE 0 END;
  s.late_closed := CASE WHEN e.state = 'closed' AND e.deadline IS NOT NULL AND COALESCE(e.resolved_at, e.closed_at) > e.deadline THEN sign ELSE 0 END;
  s.due_closed := CASE WHEN e.state = 'closed' AND e.deadline IS NOT NULL THEN sign ELSE 0 END;
  s.close_ms := CASE WHEN e.state = 'closed' AND e.closed_at IS NOT NULL THEN sign * EXTRACT(EPOCH FROM (e.closed_at - e.created_at)) * 1000 ELSE 0 END;
  RETURN s;
END $$;

CREATE FUNCTION event_stats_combine(a event_stats, b event_stats) RETURNS event_stats LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  a.state_n := event_stats_add(a.state_n, b.state_n);
  a.tier_n := event_stats_add(a.tier_n, b.tier_n);
  a.channel_n := event_stats_add(a.channel_n, b.channel_n);
  a.total := a.total + b.total;
  a.grid_collected := a.grid_collected + b.grid_collected;
  a.self_closed := a.self_closed + b.self_closed;
  a.closed := a.closed + b.closed;
  a.late_closed := a.late_closed + b.late_closed;
  a.due_closed := a.due_closed + b.due_closed;
  a.close_ms := a.close_ms + b.close_ms;
  a.dwell_n := event_stats_add(a.dwell_n, b.dwell_n);
  a.dwell_done_ms := event_stats_add(a.dwell_done_ms, b.dwell_done_ms);
  a.dwell_open := event_stats_add(a.dwell_open, b.dwell_open);
  a.dwell_open_entered := event_stats_add(a.dwell_open_entered, b.dwell_open_entered);
  RETURN a;
END $$;

CREATE FUNCTION event_stats_upsert(s event_stats) RETURNS void LANGUAGE sql AS $$
  INSERT INTO event_stats AS t SELECT (s).*
  ON CONFLICT (village_path, month, category_code) DO UPDATE SET
    state_n = event_stats_add(t.state_n, EXCLUDED.state_n),
    tier_n = event_stats_add(t.tier_n, EXCLUDED.tier_n),
    channel_n = event_stats_add(t.channel_n, EXCLUDED.channel_n),
    total = t.total + EXCLUDED.total,
    grid_collected = t.grid_collected + EXCLUDED.grid_collected,
    self_closed = t.self_closed + EXCLUDED.self_closed,
    closed = t.closed + EXCLUDED.closed,
    late_closed = t.late_closed + EXCLUDED.late_closed,
    due_closed = t.due_closed + EXCLUDED.due_closed,
    close_ms = t.close_ms + EXCLUDED.close_ms,
    dwell_n = event_stats_add(t.dwell_n, EXCLUDED.dwell_n),
    dwell_done_ms = event_stats_add(t.dwell_done_ms, EXCLUDED.dwell_done_ms),
    dwell_open = event_stats_add(t.dwell_open, EXCLUDED.dwell_open),
    dwell_open_entered = event_stats_add(t.dwell_open_entered, EXCLUDED.dwell_open_entered)
$$;

-- Two deltas: one upsert when they share a key, else in key order (no lock-order deadlocks).
CREATE FUNCTION event_stats_apply(o event_stats, n event_stats) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF o.village_path IS NULL AND n.village_path IS NULL THEN
    RETURN;
  ELSIF o.village_path IS NULL THEN
    PERFORM event_stats_upsert(n);
  ELSIF n.village_path IS NULL THEN
    PERFORM event_stats_upsert(o);
  ELSIF (o.village_path, o.month, o.category_code) = (n.village_path, n.month, n.category_code) THEN
    PERFORM event_stats_upsert(event_stats_combine(o, n));
  ELSIF (o.village_path, o.month, o.category_code) < (n.village_path, n.month, n.category_code) THEN
    PERFORM event_stats_upsert(o);
    PERFORM event_stats_upsert(n);
  ELSE
    PERFORM event_stats_upsert(n);
    PERFORM event_stats_upsert(o);
  END IF;
END $$;

CREATE FUNCTION event_stats_on_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  o event_stats := event_stats_zero();
  n event_stats := event_stats_zero();
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.state = NEW.state AND OLD.tier = NEW.tier AND OLD.channel = NEW.channel
     AND OLD.closed_at IS NOT DISTINCT FROM NEW.closed_at AND OLD.resolved_at IS NOT DISTINCT FROM NEW.resolved_at
     AND OLD.deadline IS NOT DISTINCT FROM NEW.deadline AND OLD.created_at = NEW.created_at
     AND OLD.region_path = NEW.region_path AND OLD.category_code IS NOT DISTINCT FROM NEW.category_code THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN o := event_stats_of_event(OLD, -1); END IF;
  IF TG_OP <> 'DELETE' THEN n := event_stats_of_event(NEW, 1); END IF;
  PERFORM event_stats_apply(o, n);
  RETURN NULL;
END $$;

CREATE TRIGGER event_stats_on_event AFTER INSERT OR UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION event_stats_on_event();

-- One stay's contribution, keyed by its event.
CREATE FUNCTION event_stats_of_stay(d event_tier_dwell, sign int) RETURNS event_stats LANGUAGE plpgsql STABLE AS $$
DECLARE
  e record;
  i int := array_position((event_stats_dims()).tiers, d.tier);
  s event_stats := event_stats_zero();
BEGIN
  SELECT region_path, created_at, category_code INTO e FROM events WHERE id = d.event_id;
  IF NOT FOUND OR i IS NULL THEN RETURN s; END IF;
  s.village_path := event_stats_key_path(e.region_path);
  s.month := event_stats_month(e.created_at);
  s.category_code := COALESCE(e.category_code, '');
  s.dwell_n := event_stats_unit(9, i, sign);
  IF d.left_at IS NOT NULL THEN
    s.dwell_done_ms := event_stats_unit(9, i, sign * EXTRACT(EPOCH FROM (d.left_at - d.entered_at))::double precision * 1000);
  ELSE
    s.dwell_open := event_stats_unit(9, i, sign);
    s.dwell_open_entered := event_stats_unit(9, i, sign * EXTRACT(EPOCH FROM d.entered_at)::double precision);
  END IF;
  RETURN s;
END $$;

CREATE FUNCTION event_stats_on_stay() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  o event_stats := event_stats_zero();
  n event_stats := event_stats_zero();
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.left_at IS NOT DISTINCT FROM NEW.left_at AND OLD.entered_at = NEW.entered_at AND OLD.tier = NEW.tier THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN o := event_stats_of_stay(OLD, -1); END IF;
  IF TG_OP <> 'DELETE' THEN n := event_stats_of_stay(NEW, 1); END IF;
  PERFORM event_stats_apply(o, n);
  RETURN NULL;
END $$;

CREATE TRIGGER event_stats_on_stay AFTER INSERT OR UPDATE OR DELETE ON event_tier_dwell
  FOR EACH ROW EXECUTE FUNCTION event_stats_on_stay();

-- What is already there (row by row: existing installations hold few events yet).
DO $$
DECLARE e events; d event_tier_dwell;
BEGIN
  FOR e IN SELECT * FROM events LOOP
    PERFORM event_stats_apply(event_stats_zero(), event_stats_of_event(e, 1));
  END LOOP;
  FOR d IN SELECT * FROM event_tier_dwell LOOP
    PERFORM event_stats_apply(event_stats_zero(), event_stats_of_stay(d, 1));
  END LOOP;
END $$;

-- Overdue is read live: the county's running events with their deadlines, from one small index.
CREATE INDEX events_active_path_idx ON events (region_path text_pattern_ops) INCLUDE (deadline, created_at, category_code)
  WHERE state IN ('open','in_progress','rectifying');
