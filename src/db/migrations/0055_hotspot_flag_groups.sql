-- E12/N3: the intake write flags the hot groups of all its reports with one call, where it made
-- one call per group (event_flag_hotspot_group, migrations 0048 and 0051). When many businesses
-- cross the threshold at once, one write carried up to twenty groups, and each call cost its own
-- three statements and the rollup's statement trigger: measured on the intake bench (auto_explain),
-- 6.6 ms of an 8.4 ms write of 24 reports and 20 groups was the flagging.
--
-- The rules are those of the one-group function. Every target of every group is locked in one
-- SELECT … FOR UPDATE in id order (so two writes never deadlock each other), which checks a row
-- again once it holds the lock and skips one a concurrent action has flagged or closed meanwhile.
-- The UPDATE and the INSERT of the history lines start after every lock is held, so each line's
-- number sees a line an action committed meanwhile. A report in more than one group of the call
-- takes one flag, with the line of its first group. The reports the calling statement writes are
-- passed in p_skip. Groups are parallel arrays, one element per group: p_business for a business
-- group, or NULL with p_category and p_path_pattern (LIKE pattern of the village's subtree) for a
-- village/category group.
CREATE FUNCTION event_flag_hotspot_groups(
  p_business uuid[],
  p_category text[],
  p_path_pattern text[],
  p_since timestamptz[],
  p_now timestamptz[],
  p_note text[],
  p_detail jsonb[],
  p_skip uuid[],
  p_states text[]       -- states in which a report still takes a flag
) RETURNS int LANGUAGE plpgsql VOLATILE
  -- planned once (see 0051)
  SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  targets uuid[];
  firsts bigint[];
  flagged int;
BEGIN
  IF COALESCE(cardinality(p_since), 0) = 0 THEN
    RETURN 0;
  END IF;
  -- every target with the first group it is in, locked in id order; the conditions on the locked
  -- row are checked again once the lock is held
  SELECT array_agg(t.id), array_agg(t.ord) INTO targets, firsts FROM (
    SELECT e.id, m.ord FROM events e
      JOIN (SELECT c.id, min(c.ord) AS ord FROM (
              SELECT x.id, g.ord FROM unnest(p_business, p_since) WITH ORDINALITY AS g(business_id, since, ord)
                JOIN events x ON x.business_id = g.business_id AND x.created_at >= g.since
              UNION ALL
              SELECT x.id, g.ord FROM unnest(p_business, p_category, p_path_pattern, p_since) WITH ORDINALITY AS g(business_id, category_code, path_pattern, since, ord)
                JOIN events x ON x.category_code = g.category_code AND x.region_path LIKE g.path_pattern AND x.created_at >= g.since
               WHERE g.business_id IS NULL) c
             GROUP BY c.id) m ON m.id = e.id
     WHERE e.hotspot = false AND e.state = ANY (p_states) AND e.id <> ALL (p_skip)
     ORDER BY e.id FOR UPDATE OF e) t;
  IF targets IS NULL THEN
    RETURN 0;
  END IF;
  WITH w AS (
    SELECT t.id, g.at, g.note, g.detail
      FROM unnest(targets, firsts) AS t(id, ord)
      JOIN unnest(p_now, p_note, p_detail) WITH ORDINALITY AS g(at, note, detail, ord) ON g.ord = t.ord),
  u AS (
    UPDATE events e SET hotspot = true, version = e.version + 1, updated_at = w.at
      FROM w WHERE e.id = w.id
    RETURNING e.id, jsonb_build_object('tier', e.tier, 'regionId', e.holder_region_id, 'organizationId', e.holder_org_id, 'userId', e.holder_user_id) AS holder,
              e.state, e.tier, w.at, w.note, w.detail)
  INSERT INTO event_history (event_id, seq, type, actor_id, actor_role, from_state, to_state, from_tier, to_tier, from_holder, to_holder,
                             note, detail, public_note, at)
  SELECT u.id, (SELECT COALESCE(MAX(h.seq), 0) + 1 FROM event_history h WHERE h.event_id = u.id), 'hotspot', NULL, 'system', u.state, u.state,
         u.tier, u.tier, u.holder, u.holder, u.note, u.detail, NULL, u.at
    FROM u;
  GET DIAGNOSTICS flagged = ROW_COUNT;
  RETURN flagged;
END $$;
COMMENT ON FUNCTION event_flag_hotspot_groups IS 'E12: flags the earlier open reports of the hot groups of one intake write (locked in id order, each once) and appends their history lines.';
DROP FUNCTION event_flag_hotspot_group(uuid, text, text, timestamptz, uuid[], timestamptz, text, jsonb, text[]);
