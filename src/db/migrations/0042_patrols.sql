-- P1–P3: patrol records against the 证/人/物/票/洁 checklist.
CREATE TABLE patrols (
  id uuid PRIMARY KEY,
  business_id uuid NOT NULL REFERENCES businesses(id),
  region_id bigint NOT NULL REFERENCES regions(id),
  region_path text NOT NULL,
  grid_id bigint REFERENCES regions(id),
  type text NOT NULL CHECK (type IN ('routine','double_random','flight','unannounced')),
  channel text NOT NULL CHECK (channel IN ('grid_patrol','department_patrol')),
  patroller_id uuid NOT NULL REFERENCES users(id),
  patroller_role text NOT NULL,
  organization_id bigint REFERENCES organizations(id),
  patrolled_at timestamptz NOT NULL,
  client_id text,
  passed boolean NOT NULL,
  failed_count int NOT NULL DEFAULT 0,
  note text,
  lat double precision,
  lng double precision,
  created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE patrols IS 'P1/P3 patrol records (巡查记录) of grid workers and sink-down staff on a business.';
COMMENT ON COLUMN patrols.type IS 'routine 日常巡查 / double_random 双随机 / flight 飞行检查 / unannounced 四不两直.';
COMMENT ON COLUMN patrols.region_path IS 'Path of the business''s unit at patrol time: jurisdiction filter and coverage by subtree.';
COMMENT ON COLUMN patrols.grid_id IS 'The grid (网格) the business lies in, for P2 coverage per grid; null if the tree has no grid level there.';
COMMENT ON COLUMN patrols.patrolled_at IS 'When the patrol was done in the field (offline records arrive later).';
COMMENT ON COLUMN patrols.client_id IS 'E15: client-generated id of an offline record; unique per patroller.';
CREATE INDEX patrols_region_path_idx ON patrols (region_path text_pattern_ops, patrolled_at DESC);
CREATE INDEX patrols_business_idx ON patrols (business_id, patrolled_at DESC);
CREATE INDEX patrols_grid_idx ON patrols (grid_id, patrolled_at);
CREATE INDEX patrols_patroller_idx ON patrols (patroller_id, patrolled_at DESC);
CREATE UNIQUE INDEX patrols_client_uq ON patrols (patroller_id, client_id) WHERE client_id IS NOT NULL;

CREATE TABLE patrol_items (
  patrol_id uuid NOT NULL REFERENCES patrols(id),
  seq int NOT NULL,
  aspect text NOT NULL CHECK (aspect IN ('license','people','goods','invoices','hygiene')),
  item_code text REFERENCES catalogue_items(code),
  passed boolean NOT NULL,
  note text,
  event_id uuid REFERENCES events(id),
  PRIMARY KEY (patrol_id, seq)
);
COMMENT ON TABLE patrol_items IS 'P1 checklist lines of a patrol: an aspect (证/人/物/票/洁) or a catalogue item, passed or not; event_id when a failed line raised an event.';
CREATE INDEX patrol_items_event_idx ON patrol_items (event_id) WHERE event_id IS NOT NULL;
