-- Planner statistics only where a query filters, joins or sorts. The rollup's arrays and the
-- history's holders, notes and details are only ever read back whole: sampling them costs an
-- ANALYZE (the demo loader's, autovacuum's) far more than any plan gains from it (on the embedded
-- database, 1.1 of the 1.7 s the demo loader's ANALYZE took).
ALTER TABLE event_stats
  ALTER COLUMN state_n SET STATISTICS 0,
  ALTER COLUMN tier_n SET STATISTICS 0,
  ALTER COLUMN channel_n SET STATISTICS 0,
  ALTER COLUMN dwell_n SET STATISTICS 0,
  ALTER COLUMN dwell_done_ms SET STATISTICS 0,
  ALTER COLUMN dwell_open SET STATISTICS 0,
  ALTER COLUMN dwell_open_entered SET STATISTICS 0;
ALTER TABLE event_history
  ALTER COLUMN from_holder SET STATISTICS 0,
  ALTER COLUMN to_holder SET STATISTICS 0,
  ALTER COLUMN note SET STATISTICS 0,
  ALTER COLUMN detail SET STATISTICS 0,
  ALTER COLUMN public_note SET STATISTICS 0;
