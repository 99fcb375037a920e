import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { smallWorld, type SmallWorld } from '../../../test/helpers/world.js';
import { sealAudit, verifyAudit } from './store.js';

let t: TestApp;
let w: SmallWorld;
beforeAll(async () => {
  t = await createTestApp();
  w = await smallWorld(t.ctx.db);
});
afterAll(async () => t?.close());

describe('audit log (I6)', () => {
  it('When users sign in and write, then each login and write leaves an entry with who, what and from where', async () => {
    const admin = await t.login('w_admin');
    await t.api(admin).post('/api/v1/regions', { parentId: String(w.regions.gA1.id), code: 'AUD-1', name: '审计单元', level: 'unit' });
    await t.api().post('/api/v1/auth/login', { username: 'w_admin', password: 'nope' });
    const rows = await t.ctx.db.selectFrom('audit_log').selectAll().orderBy('id').execute();
    const actions = rows.map((r) => r.action);
    expect(actions).toContain('login');
    expect(actions).toContain('login_failed');
    const created = rows.find((r) => r.action === 'region_created')!;
    expect(created.actor_id).toBe(w.users.admin.id);
    expect(created.ip).toBeTruthy();
    expect(created.entity).toBe('region');
  });

  it('When entries are sealed, then the chain verifies; when a sealed entry is altered behind the guard, then verification names it', async () => {
    const n = await sealAudit(t.ctx.db);
    expect(n).toBeGreaterThan(0);
    const ok = await verifyAudit(t.ctx.db);
    expect(ok.ok).toBe(true);
    expect(ok.checked).toBe(n);

    // The trigger refuses ordinary tampering …
    await expect(sql`UPDATE audit_log SET action = 'nothing' WHERE chain_seq = 2`.execute(t.ctx.db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_log WHERE chain_seq = 2`.execute(t.ctx.db)).rejects.toThrow(/append-only/);
    // … and someone who disables it is still caught by the chain.
    await t.database.exec(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
      UPDATE audit_log SET actor_name = 'forged' WHERE chain_seq = 2;
      ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;`);
    const broken = await verifyAudit(t.ctx.db);
    expect(broken.ok).toBe(false);
    expect(broken.brokenAt?.chainSeq).toBe(2);
    expect(broken.brokenAt?.reason).toBe('content altered');
  });

  it('When new entries arrive after sealing, then they are chained after the last sealed one', async () => {
    await t.login('w_station_a1');
    const before = await t.ctx.db.selectFrom('audit_log').select((eb) => eb.fn.max('chain_seq').as('m')).executeTakeFirstOrThrow();
    await sealAudit(t.ctx.db);
    const last = await t.ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'login').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(Number(last.chain_seq)).toBeGreaterThan(Number(before.m));
    const prev = await t.ctx.db.selectFrom('audit_log').select('hash').where('chain_seq', '=', Number(last.chain_seq) - 1).executeTakeFirstOrThrow();
    expect(last.prev_hash).toBe(prev.hash);
  });
});

describe('audit sealing in one pass over many entries (I6)', () => {
  let s: TestApp;
  beforeAll(async () => {
    s = await createTestApp();
  });
  afterAll(async () => s?.close());

  it('When more entries wait than are hashed between two turns of the event loop, then one pass seals them all in id order and the chain verifies', async () => {
    await sql`INSERT INTO audit_log (actor_name, action, entity, entity_id, ip, detail)
      SELECT '网格员' || g, 'event.create', 'event', g::text, '10.0.0.' || (g % 250), jsonb_build_object('n', g)
        FROM generate_series(1, 1200) AS g`.execute(s.ctx.db);
    const waiting = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM audit_log WHERE chain_seq IS NULL`.execute(s.ctx.db)).rows[0].n);
    expect(waiting).toBeGreaterThanOrEqual(1200);
    expect(await sealAudit(s.ctx.db)).toBe(waiting);
    const rows = (await sql<{ id: string; chain_seq: string }>`SELECT id, chain_seq FROM audit_log ORDER BY id`.execute(s.ctx.db)).rows;
    expect(rows.map((r) => Number(r.chain_seq))).toEqual(rows.map((_, i) => i + 1));
    const ok = await verifyAudit(s.ctx.db);
    expect(ok).toMatchObject({ ok: true, checked: waiting });
  });
});
