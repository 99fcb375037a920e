-- N3: what a new report costs the database in row locks and index entries.
--
-- Every foreign key checked on an insert runs a lookup and locks the row it points at (FOR KEY
-- SHARE): a heap lock record in the WAL for each, and, after every checkpoint, a full-page image
-- of each page it touches. A grid report points at its business, its place, the grid it is
-- held at, and its holder, collector and history actor (one user): four lookups, four row locks
-- and four heap lock records in the WAL per report, and their full-page images were a third of
-- the WAL intake wrote after a checkpoint (pg_walinspect, on the intake bench's world).
--
-- The rows these keys point at are never deleted: a user is disabled, a business closes, a
-- region and an organisation stay for the history that names them. That is now a rule the
-- database keeps (the guards below refuse DELETE and TRUNCATE on those four tables), so a
-- reference once written cannot dangle; and intake writes only ids it has just read from the
-- database (the place from the intake context, the holder from the routing world, the actor from
-- the session). The keys within the event's own data stay: history, stays and duplicates point at
-- their event.
ALTER TABLE events
  DROP CONSTRAINT events_business_id_fkey,
  DROP CONSTRAINT events_region_id_fkey,
  DROP CONSTRAINT events_holder_region_id_fkey,
  DROP CONSTRAINT events_holder_org_id_fkey,
  DROP CONSTRAINT events_holder_user_id_fkey,
  DROP CONSTRAINT events_collector_id_fkey,
  DROP CONSTRAINT events_collector_org_id_fkey;
ALTER TABLE event_history DROP CONSTRAINT event_history_actor_id_fkey;

CREATE FUNCTION never_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% rows are never deleted (%)', TG_TABLE_NAME, TG_ARGV[0] USING ERRCODE = 'restrict_violation';
END $$;

CREATE TRIGGER users_never_deleted BEFORE DELETE OR TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION never_deleted('disable the account instead');
CREATE TRIGGER businesses_never_deleted BEFORE DELETE OR TRUNCATE ON businesses
  FOR EACH STATEMENT EXECUTE FUNCTION never_deleted('set its status instead');
CREATE TRIGGER regions_never_deleted BEFORE DELETE OR TRUNCATE ON regions
  FOR EACH STATEMENT EXECUTE FUNCTION never_deleted('events and history name it');
CREATE TRIGGER organizations_never_deleted BEFORE DELETE OR TRUNCATE ON organizations
  FOR EACH STATEMENT EXECUTE FUNCTION never_deleted('events and history name it');

-- Index entries for NULL that no query looks up: a btree indexes NULL like any value, and every
-- report wrote one into each of these (no tracking code but on the public channel, no holding
-- organisation when a person or a region holds the event and no holding person when an
-- organisation or a region does, no chain position until the audit row is sealed). Every query
-- of these columns compares them with a value (or asks IS NOT NULL), which the partial indexes
-- answer as before.
ALTER TABLE events DROP CONSTRAINT events_tracking_code_key;
CREATE UNIQUE INDEX events_tracking_code_key ON events (tracking_code) WHERE tracking_code IS NOT NULL;
DROP INDEX events_holder_org_idx;
CREATE INDEX events_holder_org_idx ON events (holder_org_id, deadline)
  WHERE state NOT IN ('closed', 'merged') AND holder_org_id IS NOT NULL;
DROP INDEX events_holder_user_idx;
CREATE INDEX events_holder_user_idx ON events (holder_user_id, deadline)
  WHERE state NOT IN ('closed', 'merged') AND holder_user_id IS NOT NULL;
ALTER TABLE audit_log DROP CONSTRAINT audit_log_chain_seq_key;
CREATE UNIQUE INDEX audit_log_chain_seq_key ON audit_log (chain_seq) WHERE chain_seq IS NOT NULL;
