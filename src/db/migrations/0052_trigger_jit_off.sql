-- N3/E14: the statement triggers that read transition tables never compile their queries (JIT).
-- A trigger function's plans are cached per connection, costed for the transition table of the
-- statement that first ran them. After one large statement on a connection (measured: an UPDATE
-- of 16,609 events; a bulk import or a repair script would do it), the cached plan of the rollup
-- trigger was costed for thousands of rows, above jit_above_cost, so every later one-row action
-- on that connection compiled it again: 15–17 ms per event UPDATE instead of 0.5–1.6 ms (PostgreSQL
-- 15 with JIT available). Planned with jit off, the plan runs at its real size. A later
-- CREATE OR REPLACE of one of these functions must repeat the SET.
ALTER FUNCTION event_stats_events_ins() SET jit = off;
ALTER FUNCTION event_stats_events_upd() SET jit = off;
ALTER FUNCTION event_stats_events_del() SET jit = off;
ALTER FUNCTION event_stats_stays_ins() SET jit = off;
ALTER FUNCTION event_stats_stays_upd() SET jit = off;
ALTER FUNCTION event_stats_stays_del() SET jit = off;
ALTER FUNCTION routing_world_users_bump() SET jit = off;
