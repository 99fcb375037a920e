-- E12/E14: the dashboard's hotspot list (the open events flagged hot in a region subtree, grouped by
-- business and category) read every active event of the subtree from the table to check its flag:
-- on the bench's county of 1,000,000 events, 39,556 active ones on 7,481 pages, 64 ms, and the
-- dashboard's p99 stayed over 100 ms. This index holds only the flagged open ones with what the
-- list groups by, so the list is an index-only scan of a few thousand entries: 3.3 ms there.
-- Its cost: `hotspot` becomes an indexed column, so flagging an earlier report is no longer a HOT
-- update (0053) and writes the row's index entries again. In service hotspots are rare; on the
-- intake bench, where a few thousand earlier reports are flagged in each pass, it is 1–2% of
-- the database's time per report.
CREATE INDEX events_hot_path_idx ON events (region_path text_pattern_ops)
  INCLUDE (business_id, category_code)
  WHERE hotspot AND state IN ('open', 'in_progress', 'rectifying');
