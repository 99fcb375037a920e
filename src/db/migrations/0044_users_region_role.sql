-- N3 intake: the routing world looks up a place's region-held handlers (grid leaders, village
-- coordinators) by region and role; one composite index answers it, where the planner otherwise
-- ANDs the region index with the low-selectivity role index.
CREATE INDEX users_region_role_idx ON users (region_id, role);
DROP INDEX users_region_idx;
