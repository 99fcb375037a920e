-- E2–E7/N3: a version of the routing world (regions, organisations and their jurisdictions, the
-- region-held handlers). Every statement that may change what routing reads bumps it, in the
-- same transaction, so a reader that sees version v in a snapshot sees the world that goes with
-- v. Intake keeps the worlds it has built per place and asks for a place's world again only
-- when the version has moved (store.ts, `intakeContextQuery`): the world was most of the cost of
-- intake's one read.
CREATE TABLE routing_world_version (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  v bigint NOT NULL
);
INSERT INTO routing_world_version (id, v) VALUES (true, 1);

CREATE FUNCTION routing_world_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE routing_world_version SET v = v + 1;
  RETURN NULL;
END $$;

CREATE TRIGGER routing_world_regions AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON regions
  FOR EACH STATEMENT EXECUTE FUNCTION routing_world_bump();
CREATE TRIGGER routing_world_organizations AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON organizations
  FOR EACH STATEMENT EXECUTE FUNCTION routing_world_bump();
CREATE TRIGGER routing_world_jurisdictions AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON organization_jurisdictions
  FOR EACH STATEMENT EXECUTE FUNCTION routing_world_bump();

-- Users: only the handlers routing reads (grid leaders and village coordinators: role, place,
-- organisation, disabled) move the version; a sign-in that stamps last_login_at does not.
CREATE FUNCTION routing_world_users_bump() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  moved boolean;
BEGIN
  IF TG_OP = 'INSERT' THEN
    moved := EXISTS (SELECT 1 FROM new_rows WHERE role IN ('grid_leader', 'village_coordinator'));
  ELSIF TG_OP = 'DELETE' THEN
    moved := EXISTS (SELECT 1 FROM old_rows WHERE role IN ('grid_leader', 'village_coordinator'));
  ELSE
    moved := EXISTS (
      SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
       WHERE (o.role IN ('grid_leader', 'village_coordinator') OR n.role IN ('grid_leader', 'village_coordinator'))
         AND (o.role, o.region_id, o.organization_id, o.disabled) IS DISTINCT FROM (n.role, n.region_id, n.organization_id, n.disabled));
  END IF;
  IF moved THEN
    UPDATE routing_world_version SET v = v + 1;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER routing_world_users_ins AFTER INSERT ON users REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION routing_world_users_bump();
CREATE TRIGGER routing_world_users_upd AFTER UPDATE ON users REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION routing_world_users_bump();
CREATE TRIGGER routing_world_users_del AFTER DELETE ON users REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION routing_world_users_bump();
CREATE TRIGGER routing_world_users_truncate AFTER TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION routing_world_bump();
