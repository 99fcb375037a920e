-- E12/N3: flags the earlier still-open, unflagged reports of one hot group and appends each one's
-- history line, from inside the statement that writes the new report, so that intake stays one
-- statement (which the group commit may share with other reports). Targets are locked in id order
-- (two reports flagging one group never deadlock each other); each line is numbered by a statement
-- that starts after its lock is held, so it sees a line an action committed meanwhile. The
-- reports the calling statement writes are passed in p_skip: whether a function sees rows its
-- caller's own statement inserts is not defined. The note, the detail and the states that still
-- take a flag come from the application (the domain's wording and LINKABLE_STATES); the holder is
-- the target's own.
CREATE FUNCTION event_flag_hotspot_group(
  p_business uuid,      -- the business group, or NULL for the village/category group:
  p_category text,
  p_path_pattern text,  -- LIKE pattern of the village's subtree
  p_since timestamptz,
  p_skip uuid[],
  p_now timestamptz,
  p_note text,
  p_detail jsonb,
  p_states text[]       -- states in which a report still takes a flag
) RETURNS int LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  targets uuid[];
  target uuid;
  flagged int := 0;
  holder jsonb;
  st text;
  tr text;
BEGIN
  IF p_business IS NOT NULL THEN
    SELECT array_agg(id ORDER BY id) INTO targets FROM events
     WHERE business_id = p_business AND created_at >= p_since AND hotspot = false
       AND state = ANY (p_states) AND id <> ALL (p_skip);
  ELSE
    SELECT array_agg(id ORDER BY id) INTO targets FROM events
     WHERE category_code = p_category AND region_path LIKE p_path_pattern AND created_at >= p_since AND hotspot = false
       AND state = ANY (p_states) AND id <> ALL (p_skip);
  END IF;
  -- in id order; the UPDATE takes the lock and checks the row again once it has it
  FOREACH target IN ARRAY COALESCE(targets, '{}') LOOP
    UPDATE events SET hotspot = true, version = version + 1, updated_at = p_now
     WHERE id = target AND hotspot = false AND state = ANY (p_states)
    RETURNING jsonb_build_object('tier', tier, 'regionId', holder_region_id, 'organizationId', holder_org_id, 'userId', holder_user_id), state, tier
      INTO holder, st, tr;
    CONTINUE WHEN NOT FOUND;
    INSERT INTO event_history (event_id, seq, type, actor_id, actor_role, from_state, to_state, from_tier, to_tier, from_holder, to_holder,
                               note, detail, public_note, at)
    VALUES (target, (SELECT COALESCE(MAX(seq), 0) + 1 FROM event_history WHERE event_id = target), 'hotspot', NULL, 'system', st, st, tr, tr,
            holder, holder, p_note, p_detail, NULL, p_now);
    flagged := flagged + 1;
  END LOOP;
  RETURN flagged;
END $$;
COMMENT ON FUNCTION event_flag_hotspot_group IS 'E12: flags the earlier open reports of a hot group (locked in id order) and appends their history lines.';
