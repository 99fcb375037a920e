-- E6/E7 return path, work queues by region-held tier, "mine" lists.
ALTER TABLE events ADD COLUMN return_to jsonb;
COMMENT ON COLUMN events.return_to IS 'E6/E7: the holder {tier, regionId, organizationId, userId} that transferred or referred the event; `return` sends it back there.';

-- Grid leaders and village coordinators hold events by region (no single user, no organisation).
CREATE INDEX events_holder_region_idx ON events (holder_region_id, tier, deadline) WHERE state NOT IN ('closed','merged');
CREATE INDEX events_collector_idx ON events (collector_id, created_at DESC);
-- Duplicate and hotspot look-ups (E12) by village + category.
CREATE INDEX events_category_created_idx ON events (category_code, created_at DESC) WHERE category_code IS NOT NULL;
CREATE INDEX event_tier_dwell_open_idx ON event_tier_dwell (event_id) WHERE left_at IS NULL;
