-- E1–E13: the event closed loop. The state machine lives in src/domain/events; these tables
-- hold its state, its append-only history and what hangs off it.
CREATE TABLE events (
  id uuid PRIMARY KEY,
  channel text NOT NULL CHECK (channel IN ('grid_patrol','department_patrol','public_report','self_inspection','supervision','external')),
  title text NOT NULL,
  description text NOT NULL,
  category_code text,
  business_id uuid REFERENCES businesses(id),
  region_id bigint NOT NULL REFERENCES regions(id),
  region_path text NOT NULL,
  lat double precision,
  lng double precision,
  state text NOT NULL CHECK (state IN ('open','in_progress','rectifying','resolved','closed','rejected','merged')),
  tier text NOT NULL CHECK (tier IN ('grid','grid_leader','village','station','county','city','department','enforcement','cadre')),
  origin_tier text NOT NULL CHECK (origin_tier IN ('grid','grid_leader','village','station','county','city','department','enforcement','cadre')),
  holder_region_id bigint REFERENCES regions(id),
  holder_path text,
  holder_org_id bigint REFERENCES organizations(id),
  holder_user_id uuid REFERENCES users(id),
  collector_id uuid REFERENCES users(id),
  collector_org_id bigint REFERENCES organizations(id),
  client_id text,
  version int NOT NULL DEFAULT 1,
  tier_entered_at timestamptz NOT NULL DEFAULT now(),
  deadline timestamptz,
  reminded_at timestamptz,
  rectification_deadline timestamptz,
  rectification_requirement text,
  result text,
  feedback text,
  feedback_at timestamptz,
  reject_reason text,
  case_no text,
  case_decision text,
  penalty text CHECK (penalty IS NULL OR penalty IN ('none','warning','fine','suspension','revocation')),
  merged_into uuid REFERENCES events(id),
  hotspot boolean NOT NULL DEFAULT false,
  tracking_code text UNIQUE,
  reporter_phone text,
  reporter_anonymous boolean NOT NULL DEFAULT false,
  rating int CHECK (rating IS NULL OR rating BETWEEN 1 AND 5),
  rating_comment text,
  reopen_count int NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  closed_at timestamptz
);
COMMENT ON TABLE events IS 'E1–E13 food-safety events. state/tier/holder are the current position; event_history is the full record.';
COMMENT ON COLUMN events.region_path IS 'Path of the place (the business''s unit, or the reported region): jurisdiction filter.';
COMMENT ON COLUMN events.holder_path IS 'Path of the holder''s region: work queues and per-tier metrics by subtree.';
COMMENT ON COLUMN events.origin_tier IS 'E5: tier of the collecting level; the holder never goes below it.';
COMMENT ON COLUMN events.client_id IS 'E15: client-generated id of an offline report; unique per collector.';
COMMENT ON COLUMN events.tier_entered_at IS 'E10/E14: when the current tier took the event (dwell time per tier).';
COMMENT ON COLUMN events.reporter_phone IS 'I5: public reporter''s phone, shown only to the holder.';
CREATE INDEX events_region_path_idx ON events (region_path text_pattern_ops, created_at DESC);
CREATE INDEX events_holder_user_idx ON events (holder_user_id, deadline) WHERE state NOT IN ('closed','merged');
CREATE INDEX events_holder_org_idx ON events (holder_org_id, deadline) WHERE state NOT IN ('closed','merged');
CREATE INDEX events_holder_path_idx ON events (holder_path text_pattern_ops) WHERE state NOT IN ('closed','merged');
CREATE INDEX events_open_deadline_idx ON events (deadline) WHERE state NOT IN ('closed','rejected','merged');
CREATE INDEX events_business_idx ON events (business_id, category_code, created_at DESC);
CREATE INDEX events_created_idx ON events (created_at);
CREATE UNIQUE INDEX events_client_uq ON events (COALESCE(collector_id::text, ''), client_id) WHERE client_id IS NOT NULL;

CREATE TABLE event_history (
  event_id uuid NOT NULL REFERENCES events(id),
  seq int NOT NULL,
  type text NOT NULL,
  actor_id uuid REFERENCES users(id),
  actor_role text,
  from_state text,
  to_state text,
  from_tier text,
  to_tier text,
  from_holder jsonb,
  to_holder jsonb,
  note text,
  detail jsonb,
  public_note text,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, seq)
);
COMMENT ON TABLE event_history IS 'E13 append-only history; seq is contiguous from 1 per event.';
COMMENT ON COLUMN event_history.public_note IS 'What the public tracking page shows for this step (no staff names).';

CREATE FUNCTION event_history_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'event_history is append-only';
END $$;
CREATE TRIGGER event_history_append_only BEFORE UPDATE OR DELETE ON event_history
  FOR EACH ROW EXECUTE FUNCTION event_history_guard();

CREATE TABLE event_tier_dwell (
  event_id uuid NOT NULL REFERENCES events(id),
  tier text NOT NULL,
  region_id bigint,
  entered_at timestamptz NOT NULL,
  left_at timestamptz,
  PRIMARY KEY (event_id, entered_at, tier)
);
COMMENT ON TABLE event_tier_dwell IS 'E10/E14: one row per stay of an event at a tier (left_at null while it is there).';

CREATE TABLE event_assists (
  id uuid PRIMARY KEY,
  event_id uuid NOT NULL REFERENCES events(id),
  region_id bigint NOT NULL REFERENCES regions(id),
  note text NOT NULL,
  requested_by uuid REFERENCES users(id),
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open','done')),
  created_at timestamptz NOT NULL DEFAULT now(),
  done_at timestamptz
);
COMMENT ON TABLE event_assists IS 'E5: a lower level asked to assist; the holder does not change.';
CREATE INDEX event_assists_event_idx ON event_assists (event_id);
