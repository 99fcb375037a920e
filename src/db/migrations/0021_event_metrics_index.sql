-- E14: metrics over a region subtree read one covering index (index-only scan) instead of the
-- table: every column the figures need is carried in the index.
CREATE INDEX events_metrics_idx ON events (region_path text_pattern_ops)
  INCLUDE (state, tier, channel, created_at, deadline, resolved_at, closed_at, category_code);
