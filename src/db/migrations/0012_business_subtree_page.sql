-- B1/H1: a county's registry page is read from the subtree's ids (index-only), not by walking
-- the whole registry newest-first and filtering: the planner misjudges prefix selectivity on a
-- national tree and picked the latter (76 ms instead of 1 ms, bench/subtree.bench.ts).
CREATE INDEX businesses_path_id_idx ON businesses (region_path text_pattern_ops, id);
ALTER TABLE businesses ALTER COLUMN region_path SET STATISTICS 1000;
