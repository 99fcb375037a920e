import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { foodBusiness, region, smallWorld, user, type SmallWorld } from '../../../test/helpers/world.js';
import { createEvent } from './create-event.js';
import { escalateForExpiry } from './act.js';
import { NEW_EVENTS_SQL, historyValues, insertNewEvents, intakeContextQuery, intakeWriter, loadIntakeContext, loadIntakeContexts, newWorldCache } from './store.js';
import { noticeRows } from '../notifications/store.js';
import { auditValues, sealAudit } from '../audit/store.js';
import { v7 as uuidv7 } from 'uuid';
import { likePrefix } from '../regions/store.js';
import { preparable } from '../../db/connection.js';
import { STATEMENTS_IN_FLIGHT } from '../../db/batcher.js';

let t: TestApp;
let w: SmallWorld;
const tok: Record<string, string> = {};
let n = 0;

beforeAll(async () => {
  t = await createTestApp();
  w = await smallWorld(t.ctx.db);
  for (const u of Object.values(w.users)) tok[u.username] = await t.login(u.username);
});
afterAll(async () => t?.close());

const as = (username: string) => t.api(tok[username]);
const shop = async (name = `小吃店${++n}`) => foodBusiness(t.ctx.db, name, w.regions.uA1);

async function report(username: string, body: Record<string, unknown>, headers?: Record<string, string>) {
  return as(username).post('/api/v1/events', { title: '后厨卫生差', description: '操作间地面积水，垃圾未加盖', ...body }, headers);
}

async function act(username: string, id: string, body: Record<string, unknown>) {
  return as(username).post(`/api/v1/events/${id}/actions`, body);
}

/** Acts and insists on success, returning the event. */
async function ok(username: string, id: string, body: Record<string, unknown>) {
  const r = await act(username, id, body);
  if (r.status !== 200) throw new Error(`${username} ${body.type}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

function expectContiguous(history: { seq: number }[]) {
  expect(history.map((h) => h.seq)).toEqual(history.map((_, i) => i + 1));
}

describe('seed 000 §三(一) grid patrol', () => {
  it('When a unit leader reports and self-handles, then accept → resolve → feedback → close closes it at grid tier', async () => {
    const b = await shop();
    const c = await report('w_unit_a1', { channel: 'grid_patrol', businessId: b.id, categoryCode: 'HYG' });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({
      channel: 'grid_patrol',
      state: 'open',
      tier: 'grid',
      originTier: 'grid',
      holder: { tier: 'grid', userId: w.users.unitLeaderA1.id },
      businessId: b.id,
      regionId: String(w.regions.uA1.id),
      version: 1,
      overdue: false,
    });
    expect(c.body.deadline).toBeTruthy();
    expect(c.body.allowedActions).toEqual(expect.arrayContaining(['accept', 'escalate', 'reject', 'comment']));
    const id = c.body.id;
    await ok('w_unit_a1', id, { type: 'accept', expectedVersion: 1 });
    await ok('w_unit_a1', id, { type: 'resolve', result: '已督促店主清理积水、垃圾桶加盖' });
    const early = await act('w_unit_a1', id, { type: 'close' });
    expect(early.status).toBe(422); // E9: no close without feedback to the source
    expect(early.body.error.field).toBe('feedback');
    await ok('w_unit_a1', id, { type: 'feedback', feedback: '已整改到位' });
    const closed = await ok('w_unit_a1', id, { type: 'close' });
    expect(closed).toMatchObject({ state: 'closed', tier: 'grid', result: '已督促店主清理积水、垃圾桶加盖', feedback: '已整改到位', version: 5 });
    expect(closed.closedAt).toBeTruthy();
    expectContiguous(closed.history);
    expect(closed.history.map((h: any) => h.type)).toEqual(['create', 'accept', 'resolve', 'feedback', 'close']);
    const audits = await t.ctx.db.selectFrom('audit_log').select('action').where('entity_id', '=', id).execute();
    expect(audits.map((a) => a.action).sort()).toEqual(['event.accept', 'event.close', 'event.create', 'event.feedback', 'event.resolve']);
    const dwell = await t.ctx.db.selectFrom('event_tier_dwell').selectAll().where('event_id', '=', id).execute();
    expect(dwell).toHaveLength(1);
    expect(dwell[0].left_at).not.toBeNull();
  });

  it('When nobody below can solve it, then it climbs unit→grid leader→village→station→county→city, each holder notified and queued', async () => {
    const b = await shop();
    const c = await report('w_unit_a1', { channel: 'grid_patrol', businessId: b.id });
    const id = c.body.id;
    const ladder: [string, string, string][] = [
      ['w_unit_a1', 'grid_leader', 'w_gridlead_a1'],
      ['w_gridlead_a1', 'village', 'w_village_a1'],
      ['w_village_a1', 'station', 'w_station_a1'],
      ['w_station_a1', 'county', 'w_bureau_a'],
      ['w_bureau_a', 'city', 'w_city'],
    ];
    let e = c.body;
    for (const [who, tier, next] of ladder) {
      e = await ok(who, id, { type: 'escalate', reason: '本级解决不了', expectedVersion: e.version });
      expect(e.tier).toBe(tier);
      expect(e.state).toBe('open');
      const q = await as(next).get('/api/v1/events/queue');
      expect(q.status).toBe(200);
      expect(q.body.items.map((x: any) => x.id)).toContain(id);
      const nextUser = Object.values(w.users).find((u) => u.username === next)!;
      const notes = await t.ctx.db.selectFrom('notifications').select('kind').where('event_id', '=', id).where('user_id', '=', nextUser.id).execute();
      expect(notes.length).toBeGreaterThan(0);
      // the previous holder no longer may act
      expect((await act(who, id, { type: 'accept' })).status).toBe(403);
    }
    expect(e.holder).toMatchObject({ organizationId: String(w.orgs.cityBureau.id), organizationName: '测试市市场监督管理局' });
    expect(e.businessName).toBe(b.name);
    const top = await act('w_city', id, { type: 'escalate', reason: '还要往上' });
    expect(top.status).toBe(409);
    const full = await as('w_city').get(`/api/v1/events/${id}`);
    expect(full.body.history.map((h: any) => h.toTier)).toEqual(['grid', 'grid_leader', 'village', 'station', 'county', 'city']);
    expect(full.body.history.slice(1).every((h: any) => h.note === '本级解决不了')).toBe(true);
    const stays = await t.ctx.db.selectFrom('event_tier_dwell').select(['tier', 'left_at']).where('event_id', '=', id).orderBy('entered_at').execute();
    expect(stays.map((s) => s.tier)).toEqual(['grid', 'grid_leader', 'village', 'station', 'county', 'city']);
    expect(stays.filter((s) => s.left_at === null)).toHaveLength(1);
  });

  it('When the grid has no grid leader, then escalation answers 409 naming the grid', async () => {
    const grid = await region(t.ctx.db, 'grid', '甲一社区第9网格', w.regions.vA1);
    const unit = await region(t.ctx.db, 'unit', '第9网格第1单元', grid);
    await user(t.ctx.db, 'lonely_unit', 'unit_leader', { region: unit });
    tok.lonely_unit = await t.login('lonely_unit');
    const b = await foodBusiness(t.ctx.db, '孤单小卖部', unit);
    const c = await report('lonely_unit', { channel: 'grid_patrol', businessId: b.id });
    const r = await act('lonely_unit', c.body.id, { type: 'escalate', reason: '处理不了' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('no_handler');
    expect(r.body.error.message).toBe('甲一社区第9网格没有网格长');
    const after = await as('lonely_unit').get(`/api/v1/events/${c.body.id}`);
    expect(after.body).toMatchObject({ tier: 'grid', version: 1 });
  });
});

describe('S0 §三(二) events closed on the smart supervision platform', () => {
  it('When an external event arrives already closed, then it is stored closed with result and feedback and counts as closed', async () => {
    const b = await shop();
    const r = await report('w_bureau_a', {
      channel: 'external',
      businessId: b.id,
      closedElsewhere: { result: '现场检查合格', feedback: '已反馈经营者', reference: 'ZHSC-2026-001' },
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ state: 'closed', result: '现场检查合格', feedback: '已反馈经营者', tier: 'station', deadline: null });
    expect(r.body.history).toHaveLength(1);
    expect(r.body.history[0].note).toContain('ZHSC-2026-001');
    const wrong = await report('w_unit_a1', { channel: 'grid_patrol', businessId: b.id, closedElsewhere: { result: 'x', feedback: 'y' } });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.field).toBe('closedElsewhere');
    const noFeedback = await report('w_bureau_a', { channel: 'external', businessId: b.id, closedElsewhere: { result: 'x', feedback: ' ' } });
    expect(noFeedback.status).toBe(422);
    expect(noFeedback.body.error.field).toBe('closedElsewhere.feedback');
  });
});

describe('S3 supervision by a cadre', () => {
  it('When a cadre finds a problem it cannot handle on the spot, then it notifies the station, which takes it over', async () => {
    const b = await shop();
    const c = await report('w_cadre_a1', { channel: 'supervision', businessId: b.id });
    expect(c.body).toMatchObject({ tier: 'cadre', holder: { userId: w.users.cadreA1.id } });
    const up = await ok('w_cadre_a1', c.body.id, { type: 'escalate', reason: '需市场监管所处置' });
    expect(up).toMatchObject({ tier: 'station', holder: { organizationId: String(w.orgs.stationA1.id) } });
    await ok('w_station_a1', c.body.id, { type: 'accept' });
    await ok('w_station_a1', c.body.id, { type: 'resolve', result: '已现场检查并责令改正' });
    await ok('w_station_a1', c.body.id, { type: 'feedback', feedback: '已告知包保干部' });
    const told = await t.ctx.db.selectFrom('notifications').select('kind').where('event_id', '=', c.body.id).where('user_id', '=', w.users.cadreA1.id).execute();
    expect(told.map((x) => x.kind)).toContain('event_feedback');
  });

  it('When a grid worker uses the supervision channel, then 422 names channel', async () => {
    const b = await shop();
    const r = await report('w_unit_a1', { channel: 'supervision', businessId: b.id });
    expect(r.status).toBe(422);
    expect(r.body.error.field).toBe('channel');
  });
});

describe('seed 000 §三(二) department patrol', () => {
  it('When county staff report on a sink-down patrol, then the county bureau handles it, may ask a village to assist, and it never goes down', async () => {
    const b = await shop();
    const c = await report('w_bureau_a', { channel: 'department_patrol', businessId: b.id });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ tier: 'county', originTier: 'county', holder: { organizationId: String(w.orgs.bureauA.id), userId: null } });
    const id = c.body.id;
    await ok('w_bureau_a', id, { type: 'accept' });
    const a = await ok('w_bureau_a', id, { type: 'request_assist', regionId: String(w.regions.vA1.id), note: '请社区协助督促整改' });
    expect(a).toMatchObject({ tier: 'county', holder: { organizationId: String(w.orgs.bureauA.id) } });
    const assists = await t.ctx.db.selectFrom('event_assists').selectAll().where('event_id', '=', id).execute();
    expect(assists).toHaveLength(1);
    expect(assists[0]).toMatchObject({ region_id: w.regions.vA1.id, status: 'open' });
    const villageNote = await t.ctx.db.selectFrom('notifications').select('kind').where('event_id', '=', id).where('user_id', '=', w.users.villageA1.id).execute();
    expect(villageNote.map((x) => x.kind)).toContain('event_assist');
    // station staff cannot act: it was never theirs (E5)
    expect((await act('w_station_a1', id, { type: 'resolve', result: 'x' })).status).toBe(403);
    const missing = await act('w_bureau_a', id, { type: 'request_assist', regionId: String(w.regions.vA1.id) });
    expect(missing.status).toBe(422);
    expect(missing.body.error.field).toBe('note');
    // the village reports its part done; the county still holds the event
    const tasks = await as('w_village_a1').get(`/api/v1/events/${id}/assists`);
    expect(tasks.body.items).toMatchObject([{ regionId: String(w.regions.vA1.id), regionName: '甲一社区', status: 'open' }]);
    const notMine = await as('w_station_a1').post(`/api/v1/events/${id}/assists/${tasks.body.items[0].id}/done`, { note: '已督促' });
    expect(notMine.status).toBe(403);
    const done = await as('w_village_a1').post(`/api/v1/events/${id}/assists/${tasks.body.items[0].id}/done`, { note: '已上门督促整改' });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ tier: 'county', holder: { organizationId: String(w.orgs.bureauA.id) } });
    expect(done.body.history.at(-1)).toMatchObject({ type: 'assist_done', note: '已上门督促整改' });
    expectContiguous(done.body.history);
    const again = await as('w_village_a1').post(`/api/v1/events/${id}/assists/${tasks.body.items[0].id}/done`, { note: '再次' });
    expect(again.status).toBe(409);
  });

  it('When station staff report a department patrol outside their station, then 404 (outside jurisdiction)', async () => {
    const b = await foodBusiness(t.ctx.db, '乙地饭店', w.regions.uB1);
    const r = await report('w_station_a1', { channel: 'department_patrol', businessId: b.id });
    expect(r.status).toBe(404);
    expect(r.body.error.field).toBe('businessId');
  });
});

describe('seed 000 §三(三) public report', () => {
  it('When the public reports, then the village coordinator gets it, passes it to the station, which orders rectification, verifies, feeds back and closes', async () => {
    const b = await shop();
    const created = await t.ctx.db.transaction().execute((trx) =>
      createEvent(t.ctx, trx, null, {
        channel: 'public_report',
        title: '饭店使用过期食材',
        description: '看到后厨有过期的肉',
        businessId: b.id,
        trackingCode: `TRK${Date.now().toString(36).toUpperCase()}`,
        reporterPhone: '13912345678',
      }),
    );
    expect(created).toMatchObject({ tier: 'village', originTier: 'village', holder: { regionId: String(w.regions.vA1.id), organizationId: String(w.orgs.platformA1.id) } });
    const id = created.id;
    const seenByVillage = await as('w_village_a1').get(`/api/v1/events/${id}`);
    expect(seenByVillage.body.reporterPhone).toBe('13912345678');
    const seenByCounty = await as('w_bureau_a').get(`/api/v1/events/${id}`);
    expect(seenByCounty.body.reporterPhone).toBe('139****5678');
    const phoneReads = await t.ctx.db.selectFrom('audit_log').select('actor_id').where('entity_id', '=', id).where('action', '=', 'event.read_reporter_phone').execute();
    expect(phoneReads.map((x) => x.actor_id)).toEqual([w.users.villageA1.id]);
    await ok('w_village_a1', id, { type: 'escalate', reason: '需市场监管所处置' });
    await ok('w_station_a1', id, { type: 'accept' });
    const deadline = new Date(Date.now() + 3 * 86400_000).toISOString();
    const rect = await ok('w_station_a1', id, { type: 'order_rectification', deadline, requirement: '立即销毁过期食材，建立进货查验记录' });
    expect(rect.state).toBe('rectifying');
    expect(rect.rectification).toMatchObject({ requirement: '立即销毁过期食材，建立进货查验记录', overdue: false });
    await ok('w_station_a1', id, { type: 'submit_rectification', note: '经营者已销毁并提交照片' });
    const failed = await ok('w_station_a1', id, { type: 'verify_rectification', passed: false, deadline: new Date(Date.now() + 5 * 86400_000).toISOString() });
    expect(failed.state).toBe('rectifying');
    await ok('w_station_a1', id, { type: 'verify_rectification', passed: true });
    await ok('w_station_a1', id, { type: 'resolve', result: '过期食材已销毁，已建立进货查验记录' });
    await ok('w_station_a1', id, { type: 'feedback', feedback: '已电话告知举报人处理结果' });
    const closed = await ok('w_station_a1', id, { type: 'close' });
    expect(closed.state).toBe('closed');
    expectContiguous(closed.history);
    const toReporter = await t.ctx.db.selectFrom('notifications').select('recipient_key').where('event_id', '=', id).where('kind', '=', 'event_feedback').execute();
    expect(toReporter.map((x) => x.recipient_key)).toContain(`tracking:${created.trackingCode}`);
    const outbox = await t.ctx.db.selectFrom('outbox').select('topic').where('topic', '=', 'event.closed').execute();
    expect(outbox.length).toBeGreaterThan(0);
  });

  it('When a resolved event is closed without feedback, then 409/422 and it stays resolved (E9)', async () => {
    const b = await shop();
    const c = await report('w_station_a1', { channel: 'self_inspection', businessId: b.id });
    await ok('w_station_a1', c.body.id, { type: 'accept' });
    await ok('w_station_a1', c.body.id, { type: 'resolve', result: '已处理' });
    const r = await act('w_station_a1', c.body.id, { type: 'close' });
    expect(r.status).toBe(422);
    expect(r.body.error.field).toBe('feedback');
  });
});

describe('E6 transfer and return, E7 enforcement', () => {
  it('When the station transfers to the education bureau and it refuses with a reason, then it is back at the station', async () => {
    const b = await foodBusiness(t.ctx.db, '甲一小学食堂', w.regions.uA1, 'school_canteen');
    const c = await report('w_station_a1', { channel: 'self_inspection', businessId: b.id });
    const id = c.body.id;
    const bad = await act('w_station_a1', id, { type: 'transfer', organizationId: String(w.orgs.stationA2.id), reason: 'x' });
    expect(bad.status).toBe(422);
    expect(bad.body.error.field).toBe('organizationId');
    // no organisation at all (no foreign key stands behind the holder since migration 0056): the same answer, nothing moved
    const none = await act('w_station_a1', id, { type: 'transfer', organizationId: '987654321', reason: 'x' });
    expect(none.status).toBe(422);
    expect(none.body.error.field).toBe('organizationId');
    expect((await as('w_station_a1').get(`/api/v1/events/${id}`)).body).toMatchObject({ tier: 'station', version: c.body.version });
    const tr = await ok('w_station_a1', id, { type: 'transfer', organizationId: String(w.orgs.eduA.id), reason: '学校食堂管理属教育部门职责' });
    expect(tr).toMatchObject({ tier: 'department', holder: { organizationId: String(w.orgs.eduA.id) } });
    expect((await as('w_edu_a').get('/api/v1/events/queue')).body.items.map((x: any) => x.id)).toContain(id);
    const noReason = await act('w_edu_a', id, { type: 'return' });
    expect(noReason.status).toBe(422);
    expect(noReason.body.error.field).toBe('reason');
    const back = await ok('w_edu_a', id, { type: 'return', reason: '属食品经营许可问题，不属本部门职责' });
    expect(back).toMatchObject({ tier: 'station', holder: { organizationId: String(w.orgs.stationA1.id) } });
    expect(back.history.at(-1)).toMatchObject({ type: 'return', fromTier: 'department', toTier: 'station', note: '属食品经营许可问题，不属本部门职责' });
  });

  it('When referred to enforcement and a suspension is recorded, then the brigade covering the place holds it, the business is suspended and its cadre and station are told', async () => {
    const b = await shop('违规饭店');
    const c = await report('w_station_a1', { channel: 'self_inspection', businessId: b.id });
    const id = c.body.id;
    const ref = await ok('w_station_a1', id, { type: 'refer_enforcement', reason: '涉嫌使用非食品原料' });
    expect(ref).toMatchObject({ tier: 'enforcement', holder: { organizationId: String(w.orgs.brigadeA.id) } });
    const rc = await ok('w_brigade_a', id, { type: 'record_case', caseNo: '甲市监罚〔2026〕18号', decision: '责令停产停业并罚款', penalty: 'suspension' });
    expect(rc.case).toEqual({ caseNo: '甲市监罚〔2026〕18号', decision: '责令停产停业并罚款', penalty: 'suspension' });
    const biz = await t.ctx.db.selectFrom('businesses').select('status').where('id', '=', b.id).executeTakeFirstOrThrow();
    expect(biz.status).toBe('suspended');
    const told = await t.ctx.db.selectFrom('notifications').select('user_id').where('event_id', '=', id).where('kind', '=', 'business_penalty').execute();
    const ids = told.map((x) => x.user_id);
    expect(ids).toContain(w.users.cadreA1.id);
    expect(ids).toContain(w.users.stationA1.id);
    await ok('w_brigade_a', id, { type: 'resolve', result: '已立案查处' });
    await ok('w_brigade_a', id, { type: 'feedback', feedback: '处罚决定已送达' });
    expect((await ok('w_brigade_a', id, { type: 'close' })).state).toBe('closed');
  });

  it('When the station skips to the city citing a hotspot, then the city bureau holds it with the reason recorded; an unknown reason is 400/422', async () => {
    const b = await shop();
    const c = await report('w_station_a1', { channel: 'self_inspection', businessId: b.id });
    const bad = await act('w_station_a1', c.body.id, { type: 'skip_escalate', targetTier: 'city', reasonCode: 'whim', reason: 'x' });
    expect(bad.status).toBe(422);
    expect(bad.body.error.field).toBe('reasonCode');
    const e = await ok('w_station_a1', c.body.id, { type: 'skip_escalate', targetTier: 'city', reasonCode: 'hotspot', reason: '网络舆情发酵，涉及多个县区' });
    expect(e).toMatchObject({ tier: 'city', holder: { organizationId: String(w.orgs.cityBureau.id) } });
    expect(e.history.at(-1).detail).toMatchObject({ reasonCode: 'hotspot', targetTier: 'city' });
  });
});

describe('concurrency, idempotency, jurisdiction', () => {
  it('When two actions race on one version, then exactly one wins and the other gets 409', async () => {
    const b = await shop();
    const c = await report('w_station_a1', { channel: 'self_inspection', businessId: b.id });
    const [r1, r2] = await Promise.all([
      act('w_station_a1', c.body.id, { type: 'accept', expectedVersion: 1 }),
      act('w_station_a1', c.body.id, { type: 'reject', reason: '重复', expectedVersion: 1 }),
    ]);
    expect([r1.status, r2.status].sort()).toEqual([200, 409]);
    const e = await as('w_station_a1').get(`/api/v1/events/${c.body.id}`);
    expect(e.body.version).toBe(2);
    expectContiguous(e.body.history);
  });

  it('When the same clientId is sent twice (offline resend), then one event exists and both answers are it', async () => {
    const b = await shop();
    const body = { channel: 'grid_patrol', businessId: b.id, clientId: `offline-${Date.now()}` };
    const [a, c] = [await report('w_grid_a1', body), await report('w_grid_a1', body)];
    expect(a.status).toBe(201);
    expect(c.status).toBe(201);
    expect(c.body.id).toBe(a.body.id);
    const count = await t.ctx.db.selectFrom('events').select(({ fn }) => fn.countAll<number>().as('n')).where('client_id', '=', body.clientId).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
  });

  it('When the same clientId arrives twice at once, then both answers are the one event', async () => {
    const b = await shop();
    const body = { channel: 'grid_patrol', businessId: b.id, clientId: `race-${Date.now()}` };
    const [a, c] = await Promise.all([report('w_grid_a1', body), report('w_grid_a1', body)]);
    expect([a.status, c.status]).toEqual([201, 201]);
    expect(a.body.id).toBe(c.body.id);
  });

  it('When many reports arrive at once, then each is stored whole; twins with one clientId make one event', async () => {
    const writer = intakeWriter(t.ctx.db);
    const before = { ...writer.stats };
    const shops = await Promise.all(Array.from({ length: 13 }, () => shop()));
    const twin = `burst-${Date.now()}`;
    const bodies = [
      ...shops.slice(1).flatMap((b, i) => [
        ['w_grid_a1', { channel: 'grid_patrol', businessId: b.id, title: `并发报告${i}甲` }],
        ['w_station_a1', { channel: 'self_inspection', businessId: b.id, title: `并发报告${i}乙` }],
      ]),
      ['w_grid_a1', { channel: 'grid_patrol', businessId: shops[0].id, title: '重发', clientId: twin }],
      ['w_grid_a1', { channel: 'grid_patrol', businessId: shops[0].id, title: '重发', clientId: twin }],
    ] as [string, Record<string, unknown>][];
    const answers = await Promise.all(bodies.map(([u, b]) => report(u, b)));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
    expect(answers.at(-1)!.body.id).toBe(answers.at(-2)!.body.id);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(bodies.length - 1);
    for (const a of answers.slice(0, 3)) {
      const stored = await as('w_station_a1').get(`/api/v1/events/${a.body.id}`);
      expect(stored.body).toMatchObject({ id: a.body.id, title: a.body.title, state: a.body.state, version: a.body.version });
      expect(stored.body.history.map((h: any) => h.seq)).toEqual(a.body.history.map((h: any) => h.seq));
    }
    const ids = answers.map((a) => a.body.id);
    const audits = await t.ctx.db.selectFrom('audit_log').select('entity_id').where('action', '=', 'event.create').where('entity_id', 'in', ids).execute();
    expect(new Set(audits.map((x) => x.entity_id)).size).toBe(ids.length - 1);
    const dwells = await t.ctx.db.selectFrom('event_tier_dwell').select('event_id').where('event_id', 'in', ids).execute();
    expect(new Set(dwells.map((x) => x.event_id)).size).toBe(ids.length - 1);
    expect(writer.stats.writes - before.writes).toBeGreaterThanOrEqual(bodies.length - 1);
    // five at once on one business (reports read before the others commit may not see them
    // yet), then a sixth: afterwards every one is flagged exactly once, its history contiguous
    // and its version counting its lines
    const hotShop = await shop();
    const five = await Promise.all(['HYG01', 'PPL01', 'GDS01', 'LIC02', 'INV01'].map((categoryCode) => report('w_grid_a1', { channel: 'grid_patrol', businessId: hotShop.id, categoryCode })));
    expect(five.map((a) => a.status)).toEqual([201, 201, 201, 201, 201]);
    const sixth = await report('w_grid_a1', { channel: 'grid_patrol', businessId: hotShop.id, categoryCode: 'MKT01' });
    expect(sixth.body.hotspot).toBe(true);
    for (const a of [...five, sixth]) {
      const got = (await as('w_station_a1').get(`/api/v1/events/${a.body.id}`)).body;
      expectContiguous(got.history);
      expect(got.history.filter((h: any) => h.type === 'hotspot')).toHaveLength(1);
      expect(got).toMatchObject({ hotspot: true, version: 2 });
    }
  });

  it('When new-event writes wait for the statements in flight, then they go as one statement; a bad one is tried alone and fails alone', async () => {
    const writer = intakeWriter(t.ctx.db);
    const b = await shop();
    const unit = w.regions.uA1;
    const actor = w.users.gridMemberA1.id;
    const takenId = `taken-${Date.now()}`;
    expect((await report('w_grid_a1', { channel: 'grid_patrol', businessId: (await shop()).id, clientId: takenId })).status).toBe(201);
    // the statements in flight, then four that wait and go together; the last of them is bad
    const n = STATEMENTS_IN_FLIGHT + 4;
    const bad = n - 1;
    const writes = Array.from({ length: n }, (_, i) => {
      const id = uuidv7();
      const now = new Date();
      const entry = { type: 'create', actorId: actor, actorRole: 'grid_member', fromState: null, toState: 'open', fromTier: null, toTier: 'grid',
        fromHolder: null, toHolder: { tier: 'grid', regionId: null, organizationId: null, userId: actor }, note: '成组写入', detail: null, publicNote: null } as const;
      return {
        event: { id, channel: 'grid_patrol', title: `成组写入${i}`, description: '成组写入', business_id: b.id, region_id: unit.id, region_path: unit.path,
          state: 'open', tier: 'grid', origin_tier: 'grid', holder_user_id: actor, collector_id: actor, created_at: now, updated_at: now,
          // reuses a client id already taken: a unique violation
          client_id: i === bad ? takenId : null },
        history: [historyValues(id, 1, entry as any, now)],
        dwell: { event_id: id, tier: 'grid', region_id: null, entered_at: now },
        notices: noticeRows([{ userId: w.users.gridLeaderA1.id, kind: 'event_assigned', title: '成组写入', eventId: id }]),
        audit: auditValues({ actorId: actor, action: 'event.create', entity: 'event', entityId: id }),
        reply: null,
      };
    });
    const before = { ...writer.stats };
    const outcomes = await Promise.all(writes.map((x) => writer.submit(x as any).then(() => 'ok', (e: any) => e.code ?? e.message)));
    expect(outcomes).toEqual(writes.map((_, i) => (i === bad ? '23505' : 'ok')));
    // the first ones alone (the statements in flight), then four together, which failed and went alone again
    expect(writer.stats.statements - before.statements).toBe(STATEMENTS_IN_FLIGHT + 1 + 4);
    expect(writer.stats.largest).toBeGreaterThanOrEqual(4);
    expect(writer.stats.retriedAlone - before.retriedAlone).toBe(4);
    const ids = writes.map((x) => x.event.id);
    const stored = await t.ctx.db.selectFrom('events').select('id').where('id', 'in', ids).execute();
    expect(new Set(stored.map((r) => r.id))).toEqual(new Set(ids.filter((_, i) => i !== bad)));
    for (const [table, column] of [['event_history', 'event_id'], ['event_tier_dwell', 'event_id'], ['notifications', 'event_id'], ['audit_log', 'entity_id']] as const) {
      const rows = await t.ctx.db.selectFrom(table as any).select(`${column} as id` as any).where(column as any, 'in', ids).execute();
      expect(new Set(rows.map((r: any) => r.id)), table).toEqual(new Set(ids.filter((_, i) => i !== bad)));
    }
    // and the combined statement carries several at once when nothing fails
    const more = writes.map((x, i) => ({ ...x, event: { ...x.event, id: uuidv7(), client_id: null, title: `成组写入再${i}` } }));
    for (const m of more) {
      m.history = m.history.map((h) => ({ ...h, event_id: m.event.id }));
      m.dwell = { ...m.dwell, event_id: m.event.id };
      m.notices = noticeRows([{ userId: w.users.gridLeaderA1.id, kind: 'event_assigned', title: '成组写入', eventId: m.event.id }]);
      m.audit = { ...m.audit, entity_id: m.event.id };
    }
    const mid = { ...writer.stats };
    await Promise.all(more.map((x) => writer.submit(x as any)));
    expect(writer.stats.statements - mid.statements).toBe(STATEMENTS_IN_FLIGHT + 1);
    const again = await t.ctx.db.selectFrom('event_history').select('event_id').where('event_id', 'in', more.map((m) => m.event.id)).execute();
    expect(again).toHaveLength(n);
    // every batch, whatever its size and shape, is one statement text, prepared once per connection
    expect(preparable(NEW_EVENTS_SQL.text)).toBe(true);
    // an event column the statement does not write is refused before anything is sent
    const odd = { ...more[0], event: { ...more[0].event, id: uuidv7(), rating: 5 } };
    await expect(insertNewEvents(t.ctx.db, [odd as any])).rejects.toThrow(/events\.rating/);
    expect(await t.ctx.db.selectFrom('events').select('id').where('id', '=', odd.event.id).executeTakeFirst()).toBeUndefined();
  });

  it('When a report is created, then the answer is the stored event; when its last write fails, then nothing of it is stored', async () => {
    const b = await shop();
    // grid patrol (the collector holds it) and a public-style route to a region-held tier with notifications
    for (const [user, body] of [
      ['w_grid_a1', { channel: 'grid_patrol', businessId: b.id }],
      ['w_station_a1', { channel: 'self_inspection', businessId: b.id, location: { lat: 25.43, lng: 119.01 } }],
      // text that array literals must quote: the word NULL, quotes, backslashes, commas, braces
      ['w_grid_a1', { channel: 'grid_patrol', businessId: b.id, title: 'NULL', description: '引号"、反斜杠\\、逗号,与{花括号} NULL', clientId: 'NULL' }],
    ] as const) {
      const created = await report(user, body);
      expect(created.status).toBe(201);
      const stored = await as(user).get(`/api/v1/events/${created.body.id}`);
      expect(stored.body).toMatchObject(created.body);
    }
    const quoted = await t.ctx.db.selectFrom('events').select(['title', 'description']).where('client_id', '=', 'NULL').where('business_id', '=', b.id).execute();
    expect(quoted).toEqual([{ title: 'NULL', description: '引号"、反斜杠\\、逗号,与{花括号} NULL' }]);
    const audit = await t.ctx.db.selectFrom('audit_log').select('entity_id').where('action', '=', 'event.create').where('entity_id', 'is not', null).execute();
    expect(audit.length).toBeGreaterThan(0);
    // the audit row is the last part of the write: make it fail, and the event, its history and dwell must not exist
    await sql`CREATE FUNCTION fail_event_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.action = 'event.create' THEN RAISE EXCEPTION 'audit refused'; END IF; RETURN NEW; END $$`.execute(t.ctx.db);
    await sql`CREATE TRIGGER fail_event_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION fail_event_audit()`.execute(t.ctx.db);
    try {
      const r = await report('w_grid_a1', { channel: 'grid_patrol', businessId: b.id, title: '写入失败的报告' });
      expect(r.status).toBe(500);
    } finally {
      await sql`DROP TRIGGER fail_event_audit ON audit_log`.execute(t.ctx.db);
      await sql`DROP FUNCTION fail_event_audit()`.execute(t.ctx.db);
    }
    const left = await t.ctx.db.selectFrom('events').select('id').where('title', '=', '写入失败的报告').execute();
    expect(left).toEqual([]);
    const orphans = await sql<{ n: number }>`SELECT count(*)::int AS n FROM event_history h LEFT JOIN events e ON e.id = h.event_id WHERE e.id IS NULL`.execute(t.ctx.db);
    expect(orphans.rows[0].n).toBe(0);
  });

  it('When intake reads its context, then every shape of the statement is preparable once per connection and reads the place (N3)', async () => {
    // the rule itself: one command, no LIKE; a `;` inside a line comment is not a second command
    expect(preparable('SELECT 1 FROM events WHERE id = $1')).toBe(true);
    expect(preparable('SELECT 1 FROM events WHERE region_path LIKE $1')).toBe(false);
    expect(preparable('SELECT 1; SELECT 2')).toBe(false);
    expect(preparable('SELECT 1 -- one; two\n FROM events')).toBe(true);
    const b = await shop();
    const first = await report('w_grid_a1', { channel: 'grid_patrol', businessId: b.id, categoryCode: 'HYG04', clientId: `ctx-${Date.now()}` });
    const now = new Date();
    const qs: Parameters<typeof loadIntakeContext>[1][] = [];
    for (const businessId of [b.id, null]) {
      for (const categoryCode of ['HYG04', null]) {
        for (const clientId of [first.body.clientId as string, null]) {
          qs.push({ businessId, regionId: businessId ? null : Number(w.regions.uA1.id), collectorId: w.users.gridMemberA1.id, clientId, categoryCode, now });
        }
      }
    }
    // one text for every shape of report (and one per number of reports): prepared once
    const texts = new Set(qs.map((q) => intakeContextQuery([q]).sql));
    expect(texts.size).toBe(1);
    expect(preparable([...texts][0])).toBe(true);
    expect(preparable(intakeContextQuery(qs).sql)).toBe(true);
    const alone = [];
    for (const q of qs) alone.push(await loadIntakeContext(t.ctx.db, q));
    const together = await loadIntakeContexts(t.ctx.db, qs);
    expect(together).toEqual(alone);
    for (const [i, c] of alone.entries()) {
      const q = qs[i];
      expect(c.place?.regionId).toBe(Number(w.regions.uA1.id));
      expect(c.place?.businessId ?? null).toBe(q.businessId);
      expect(c.world.ancestors.map((a) => a.level)).toContain('village');
      // the replay, the duplicate and the groups each follow what the report carries
      expect(c.existingId).toBe(q.clientId ? first.body.id : null);
      expect(c.duplicate?.id ?? null).toBe(q.businessId && q.categoryCode ? first.body.id : null);
      expect(c.hotspotGroups.map((g) => [g.kind, g.reports])).toEqual([
        ...(q.businessId ? [['business', 1]] : []),
        ...(q.categoryCode ? [['village_category', 1]] : []),
      ]);
    }
  });

  it('When an Idempotency-Key is reused for a different report, then 422 names the header', async () => {
    const b = await shop();
    const key = `reuse-${Date.now()}`;
    expect((await report('w_grid_a1', { channel: 'grid_patrol', businessId: b.id, title: '一' }, { 'idempotency-key': key })).status).toBe(201);
    const r = await report('w_grid_a1', { channel: 'grid_patrol', businessId: b.id, title: '二' }, { 'idempotency-key': key });
    expect(r.status).toBe(422);
    expect(r.body.error.field).toBe('Idempotency-Key');
  });

  it('When the same Idempotency-Key is sent twice, then the first answer is replayed and nothing new is written', async () => {
    const b = await shop();
    const key = `k-${Date.now()}`;
    const a = await report('w_grid_a1', { channel: 'grid_patrol', businessId: b.id }, { 'idempotency-key': key });
    const c = await report('w_grid_a1', { channel: 'grid_patrol', businessId: b.id }, { 'idempotency-key': key });
    expect(c.status).toBe(201);
    expect(c.body).toEqual(a.body);
    const count = await t.ctx.db.selectFrom('events').select(({ fn }) => fn.countAll<number>().as('n')).where('business_id', '=', b.id).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
  });

  it('When someone outside the jurisdiction reads, lists or acts, then 404 and the list omits it', async () => {
    const b = await shop();
    const c = await report('w_unit_a1', { channel: 'grid_patrol', businessId: b.id });
    expect((await as('w_station_b1').get(`/api/v1/events/${c.body.id}`)).status).toBe(404);
    expect((await act('w_station_b1', c.body.id, { type: 'comment', note: '看看' })).status).toBe(404);
    const list = await as('w_station_b1').get('/api/v1/events?limit=1000');
    expect(list.body.items.map((x: any) => x.id)).not.toContain(c.body.id);
    expect((await as('w_bureau_b').get(`/api/v1/events?regionId=${w.regions.countyA.id}`)).status).toBe(404);
    // inside but not the holder: 403
    expect((await act('w_grid_a1', c.body.id, { type: 'accept' })).status).toBe(403);
    // comments are open to everyone who may see it
    expect((await act('w_station_a1', c.body.id, { type: 'comment', note: '请尽快处理' })).status).toBe(200);
  });

  it('When a parameter is missing, then 422 names it; an unknown action type is 400', async () => {
    const b = await shop();
    const c = await report('w_station_a1', { channel: 'self_inspection', businessId: b.id });
    const early = await act('w_station_a1', c.body.id, { type: 'order_rectification', requirement: '整改' });
    expect(early.status).toBe(409); // not accepted yet: the transition is checked before parameters
    await ok('w_station_a1', c.body.id, { type: 'accept' });
    const r = await act('w_station_a1', c.body.id, { type: 'order_rectification', requirement: '整改' });
    expect(r.status).toBe(422);
    expect(r.body.error.field).toBe('deadline');
    const unknown = await act('w_station_a1', c.body.id, { type: 'teleport' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.field).toBe('type');
    const stale = await act('w_station_a1', c.body.id, { type: 'comment', note: 'x', expectedVersion: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('stale_version');
  });
});

describe('N3 what an event names stays', () => {
  it('When someone deletes or truncates the users, businesses, regions or organisations events name, then the database refuses and the event still resolves', async () => {
    const b = await shop();
    const c = await report('w_unit_a1', { channel: 'grid_patrol', businessId: b.id });
    expect(c.status).toBe(201);
    const refusals: [string, RegExp][] = [
      [`DELETE FROM users WHERE id = '${w.users.unitLeaderA1.id}'`, /users rows are never deleted \(disable the account instead\)/],
      [`DELETE FROM businesses WHERE id = '${b.id}'`, /businesses rows are never deleted \(set its status instead\)/],
      [`DELETE FROM regions WHERE id = ${w.regions.uA1.id}`, /regions rows are never deleted/],
      [`DELETE FROM organizations WHERE id = ${w.orgs.stationA1.id}`, /organizations rows are never deleted/],
      // every row at once, and with the tables that point at them: refused before anything goes
      ['TRUNCATE users, businesses, regions, organizations CASCADE', /rows are never deleted/],
    ];
    for (const [statement, message] of refusals) {
      await expect(
        t.ctx.db.transaction().execute(async (trx) => {
          await sql.raw(statement).execute(trx);
          throw new Error(`not refused: ${statement}`); // and rolled back
        }),
      ).rejects.toThrow(message);
    }
    const row = await sql<{ users: number; businesses: number; regions: number }>`
      SELECT (SELECT count(*) FROM users u WHERE u.id IN (e.collector_id, e.holder_user_id))::int AS users,
             (SELECT count(*) FROM businesses x WHERE x.id = e.business_id)::int AS businesses,
             (SELECT count(*) FROM regions r WHERE r.id IN (e.region_id, e.holder_region_id))::int AS regions
        FROM events e WHERE e.id = ${c.body.id}`.execute(t.ctx.db);
    expect(row.rows[0]).toEqual({ users: 1, businesses: 1, regions: 2 });
  });

  it('When a tracking code or an audit chain position is taken, then a second one is refused; NULL ones are not indexed', async () => {
    const b = await shop();
    const first = await report('w_unit_a1', { channel: 'grid_patrol', businessId: b.id });
    const second = await report('w_unit_a1', { channel: 'grid_patrol', businessId: b.id });
    await sql`UPDATE events SET tracking_code = 'DUPTEST01' WHERE id = ${first.body.id}`.execute(t.ctx.db);
    await expect(sql`UPDATE events SET tracking_code = 'DUPTEST01' WHERE id = ${second.body.id}`.execute(t.ctx.db)).rejects.toThrow(/events_tracking_code_key/);
    await sealAudit(t.ctx.db);
    const sealed = await sql<{ chain_seq: string }>`SELECT chain_seq FROM audit_log WHERE chain_seq IS NOT NULL LIMIT 1`.execute(t.ctx.db);
    await expect(sql`INSERT INTO audit_log (action, chain_seq) VALUES ('test', ${sealed.rows[0].chain_seq})`.execute(t.ctx.db)).rejects.toThrow(/audit_log_chain_seq_key/);
    const partial = await sql<{ name: string; predicate: string }>`
      SELECT c.relname AS name, pg_get_expr(i.indpred, i.indrelid) AS predicate FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
       WHERE c.relname IN ('events_tracking_code_key', 'events_holder_org_idx', 'events_holder_user_idx', 'audit_log_chain_seq_key') ORDER BY 1`.execute(t.ctx.db);
    expect(partial.rows.map((r) => [r.name, /IS NOT NULL/.test(r.predicate ?? '')])).toEqual([
      ['audit_log_chain_seq_key', true],
      ['events_holder_org_idx', true],
      ['events_holder_user_idx', true],
      ['events_tracking_code_key', true],
    ]);
  });
});

describe('N3 the routing world intake keeps', () => {
  const version = async () => (await sql<{ v: string }>`SELECT v::text FROM routing_world_version`.execute(t.ctx.db)).rows[0].v;

  it('When a place was read at the current version, then the next read skips its world and gets the same one; routing data changes move the version, a sign-in does not', async () => {
    const b = await shop();
    const q = { businessId: b.id, regionId: null, collectorId: w.users.gridMemberA1.id, clientId: null, categoryCode: null, now: new Date() };
    const cache = newWorldCache();
    const [first] = await loadIntakeContexts(t.ctx.db, [q], cache);
    expect(cache.version).toBe(await version());
    expect(cache.worlds.get(w.regions.uA1.path)).toEqual(first.world);
    // with the hint the statement reads no world; without it (or at another version) it does
    const hinted = (await t.ctx.db.executeQuery(intakeContextQuery([q], { version: cache.version!, hints: [w.regions.uA1.path] }))).rows[0];
    expect([hinted.ancestors, hinted.orgs, hinted.handlers]).toEqual([null, null, null]);
    const stale = (await t.ctx.db.executeQuery(intakeContextQuery([q], { version: String(Number(cache.version) - 1), hints: [w.regions.uA1.path] }))).rows[0];
    expect(stale.ancestors).not.toBeNull();
    const wrongPlace = (await t.ctx.db.executeQuery(intakeContextQuery([q], { version: cache.version!, hints: [w.regions.uB1.path] }))).rows[0];
    expect(wrongPlace.ancestors).not.toBeNull();
    const [second] = await loadIntakeContexts(t.ctx.db, [q], cache);
    expect(second).toEqual(first);
    expect(second.world).toBe(cache.worlds.get(w.regions.uA1.path));

    const v0 = await version();
    await t.ctx.db.updateTable('users').set({ last_login_at: new Date(), failed_logins: 0 }).where('role', 'in', ['grid_leader', 'village_coordinator']).execute();
    expect(await version()).toBe(v0);
    const leader = await user(t.ctx.db, `leader_v_${Date.now()}`, 'grid_leader', { region: w.regions.gA1 });
    const v1 = await version();
    expect(BigInt(v1)).toBeGreaterThan(BigInt(v0));
    const [third] = await loadIntakeContexts(t.ctx.db, [q], cache);
    expect(cache.version).toBe(v1);
    expect(third.world.handlers.map((h) => h.id)).toContain(leader.id);
    await t.ctx.db.updateTable('users').set({ disabled: true }).where('id', '=', leader.id).execute();
    const [fourth] = await loadIntakeContexts(t.ctx.db, [q], cache);
    expect(fourth.world.handlers.map((h) => h.id)).not.toContain(leader.id);
    const v2 = await version();
    await t.ctx.db.updateTable('regions').set({ name: '甲一社区（更名）' }).where('id', '=', Number(w.regions.vA1.id)).execute();
    const [fifth] = await loadIntakeContexts(t.ctx.db, [q], cache);
    expect(BigInt(cache.version!)).toBeGreaterThan(BigInt(v2));
    expect(fifth.world.ancestors.find((a) => a.level === 'village')?.name).toBe('甲一社区（更名）');
    await t.ctx.db.updateTable('regions').set({ name: '甲一社区' }).where('id', '=', Number(w.regions.vA1.id)).execute();
  });

  it('When a village without a handler gets a coordinator after a report failed there, then the next report routes to it; when the coordinator is disabled, then reports fail again', async () => {
    const village = await region(t.ctx.db, 'village', `甲一新村${Date.now()}`, w.regions.tA1);
    const grid = await region(t.ctx.db, 'grid', '新村第1网格', village);
    const unit = await region(t.ctx.db, 'unit', '新村第1网格第1单元', grid);
    const b = await foodBusiness(t.ctx.db, '新村饭店', unit);
    // not in a transaction: the reports go through intake's batched read and its kept worlds
    const publicReport = () =>
      createEvent(t.ctx, t.ctx.db, null, {
        channel: 'public_report',
        title: '饭店后厨有老鼠',
        description: '晚上看到后厨有老鼠',
        businessId: b.id,
        trackingCode: `TRK${Date.now().toString(36).toUpperCase()}${++n}`,
      } as any);
    const failed = await publicReport().then(
      () => null,
      (e: any) => e,
    );
    expect(failed?.code).toBe('no_handler');
    const coordinator = await user(t.ctx.db, `coord_${Date.now()}`, 'village_coordinator', { region: village });
    const routed = await publicReport();
    expect(routed).toMatchObject({ tier: 'village', holder: { tier: 'village', regionId: String(village.id) } });
    await t.ctx.db.updateTable('users').set({ disabled: true }).where('id', '=', coordinator.id).execute();
    const again = await publicReport().then(
      () => null,
      (e: any) => e,
    );
    expect(again?.code).toBe('no_handler');
  });
});

describe('E12 duplicates and hotspots', () => {
  it('When the same business and category is reported again while open, then the new report is merged into it; the third report makes it a hotspot', async () => {
    const b = await shop();
    const first = await report('w_unit_a1', { channel: 'grid_patrol', businessId: b.id, categoryCode: 'GDS' });
    const second = await report('w_grid_a1', { channel: 'grid_patrol', businessId: b.id, categoryCode: 'GDS' });
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ state: 'merged', duplicateOf: first.body.id });
    const orig = await as('w_unit_a1').get(`/api/v1/events/${first.body.id}`);
    expect(orig.body.history.map((h: any) => h.type)).toContain('duplicate_linked');
    expect(orig.body.hotspot).toBe(false);
    await report('w_gridlead_a1', { channel: 'grid_patrol', businessId: b.id, categoryCode: 'PPL' });
    const hot = await as('w_unit_a1').get(`/api/v1/events/${first.body.id}`);
    expect(hot.body.hotspot).toBe(true);
    expectContiguous(hot.body.history);
    const list = await as('w_station_a1').get(`/api/v1/events?businessId=${b.id}&hotspot=true`);
    expect(list.body.items.length).toBe(2);
    // a fourth report on the hot business is flagged as it is created; the earlier ones are not flagged twice
    const fourth = await report('w_unit_a1', { channel: 'grid_patrol', businessId: b.id, categoryCode: 'HYG' });
    expect(fourth.body).toMatchObject({ hotspot: true, version: 2, state: 'open' });
    expect(fourth.body.history.map((h: any) => h.type)).toEqual(['create', 'hotspot']);
    expect(fourth.body.history[1].note).toContain('4次报告');
    const again = await as('w_unit_a1').get(`/api/v1/events/${first.body.id}`);
    expect(again.body.history.filter((h: any) => h.type === 'hotspot')).toHaveLength(1);
    expect(again.body.version).toBe(hot.body.version);
    // the feedback on the original reaches the source of the merged duplicate too
    await ok('w_unit_a1', first.body.id, { type: 'accept' });
    await ok('w_unit_a1', first.body.id, { type: 'resolve', result: '已处理' });
    await ok('w_unit_a1', first.body.id, { type: 'feedback', feedback: '已反馈' });
    const told = await t.ctx.db.selectFrom('notifications').select('user_id').where('event_id', '=', second.body.id).where('kind', '=', 'event_feedback').execute();
    expect(told.map((x) => x.user_id)).toEqual([w.users.gridMemberA1.id]);
  });

  it('When three businesses of one village are reported for the same item, then the third report flags the two earlier ones once each, with contiguous history', async () => {
    const [a, b, c] = [await shop(), await shop(), await shop()];
    const first = await report('w_unit_a1', { channel: 'grid_patrol', businessId: a.id, categoryCode: 'ADD03' });
    const second = await report('w_grid_a1', { channel: 'grid_patrol', businessId: b.id, categoryCode: 'ADD03' });
    expect([first.body.hotspot, second.body.hotspot]).toEqual([false, false]);
    const third = await report('w_grid_a1', { channel: 'grid_patrol', businessId: c.id, categoryCode: 'ADD03' });
    expect(third.body).toMatchObject({ hotspot: true, version: 2 });
    for (const e of [first, second]) {
      const got = (await as('w_station_a1').get(`/api/v1/events/${e.body.id}`)).body;
      expect(got).toMatchObject({ hotspot: true, version: e.body.version + 1 });
      expectContiguous(got.history);
      const hot = got.history.filter((h: any) => h.type === 'hotspot');
      expect(hot).toHaveLength(1);
      expect(hot[0].note).toContain('村（社区）同类问题收到3次报告');
      expect(hot[0].toHolder).toEqual(got.history[0].toHolder);
      expect(hot[0].toHolder.tier).toBe('grid');
    }
    // a fourth flags only itself: the earlier ones keep their single flag and version
    const fourth = await report('w_unit_a1', { channel: 'grid_patrol', businessId: (await shop()).id, categoryCode: 'ADD03' });
    expect(fourth.body.hotspot).toBe(true);
    const again = (await as('w_station_a1').get(`/api/v1/events/${first.body.id}`)).body;
    expect(again.version).toBe(first.body.version + 1);
  });

  it('When one write flags several hot groups, then every earlier open report of them is flagged once, with the line of its first group; a closed one is not', async () => {
    const [a, b] = [await shop(), await shop()];
    // business a: two reports; the village: two reports of PRC02 (one of them a's); nothing hot yet
    const a1 = await report('w_unit_a1', { channel: 'grid_patrol', businessId: a.id, categoryCode: 'PRC02' });
    const a2 = await report('w_unit_a1', { channel: 'grid_patrol', businessId: a.id, categoryCode: 'PRC04' });
    const b1 = await report('w_grid_a1', { channel: 'grid_patrol', businessId: b.id, categoryCode: 'PRC02' });
    expect([a1, a2, b1].map((e) => e.body.hotspot)).toEqual([false, false, false]);
    // a third report on b, closed: no longer takes a flag
    const b2 = await report('w_grid_a1', { channel: 'grid_patrol', businessId: b.id, categoryCode: 'PRC03' });
    await t.ctx.db.updateTable('events').set({ state: 'closed', result: '已处理', feedback: '已反馈', closed_at: new Date() }).where('id', '=', b2.body.id).execute();
    const village = (await sql<{ path: string }>`SELECT r.path FROM regions r, regions u WHERE u.id = ${w.regions.uA1.id}
      AND starts_with(u.path, r.path) AND r.level = 'village'`.execute(t.ctx.db)).rows[0].path;
    const now = new Date();
    const since = new Date(now.getTime() - 7 * 86400_000);
    const flagged = await sql<{ n: number }>`SELECT event_flag_hotspot_groups(
        ${[a.id, null, b.id]}::uuid[], ${[null, 'PRC02', null]}::text[], ${[null, likePrefix(village), null]}::text[],
        ${[since, since, since]}::timestamptz[], ${[now, now, now]}::timestamptz[], ${['商户', '村同类', '商户b']}::text[],
        ${[JSON.stringify({ group: 'business' }), JSON.stringify({ group: 'village' }), JSON.stringify({ group: 'b' })]}::jsonb[],
        ${[]}::uuid[], ${['open', 'in_progress', 'rectifying', 'resolved']}::text[]) AS n`.execute(t.ctx.db);
    expect(flagged.rows[0].n).toBe(3);
    const got = async (e: any) => (await as('w_station_a1').get(`/api/v1/events/${e.body.id}`)).body;
    // a1 is in a's group and the village's: it takes a's line (the first); b1 the village's, not b's
    for (const [e, note] of [[a1, '商户'], [a2, '商户'], [b1, '村同类']] as const) {
      const g = await got(e);
      expect(g).toMatchObject({ hotspot: true, version: e.body.version + 1 });
      expectContiguous(g.history);
      expect(g.history.filter((h: any) => h.type === 'hotspot').map((h: any) => h.note)).toEqual([note]);
    }
    expect(await got(b2)).toMatchObject({ state: 'closed', hotspot: false });
    // flagged again: nothing is left to flag
    const again = await sql<{ n: number }>`SELECT event_flag_hotspot_groups(${[a.id]}::uuid[], ${[null]}::text[], ${[null]}::text[],
        ${[since]}::timestamptz[], ${[now]}::timestamptz[], ${['x']}::text[], ${['{}']}::jsonb[], ${[]}::uuid[], ${['open']}::text[]) AS n`.execute(t.ctx.db);
    expect(again.rows[0].n).toBe(0);
  });

  it('When an earlier report gains a history line while a new report waits to flag it, then the hotspot line takes the next number (no clash, no gap)', async () => {
    const b = await shop();
    const first = await report('w_unit_a1', { channel: 'grid_patrol', businessId: b.id, categoryCode: 'HYG03' });
    await report('w_unit_a1', { channel: 'grid_patrol', businessId: b.id, categoryCode: 'PPL02' });
    let third: Promise<any> | undefined;
    await t.ctx.db.transaction().execute(async (trx) => {
      const row = (await sql<any>`SELECT * FROM events WHERE id = ${first.body.id} FOR UPDATE`.execute(trx)).rows[0];
      const holder = { tier: row.tier, regionId: row.holder_region_id, organizationId: row.holder_org_id, userId: row.holder_user_id };
      await trx.insertInto('event_history').values(historyValues(first.body.id, 2, { type: 'comment', actorId: w.users.unitLeaderA1.id, actorRole: 'unit_leader',
        fromState: row.state, toState: row.state, fromTier: row.tier, toTier: row.tier, fromHolder: holder, toHolder: holder, note: '已约谈负责人', detail: null, publicNote: null } as any, new Date())).execute();
      await trx.updateTable('events').set({ version: row.version + 1 }).where('id', '=', first.body.id).execute();
      // the third report makes the business hot and must wait for this lock to flag the first
      third = report('w_unit_a1', { channel: 'grid_patrol', businessId: b.id, categoryCode: 'GDS04' });
      await new Promise((r) => setTimeout(r, 500));
    });
    expect((await third!).status).toBe(201);
    const got = (await as('w_unit_a1').get(`/api/v1/events/${first.body.id}`)).body;
    expect(got.history.map((h: any) => h.type)).toEqual(['create', 'comment', 'hotspot']);
    expectContiguous(got.history);
    expect(got).toMatchObject({ hotspot: true, version: 3 });
  });

  it('When an earlier report is closed while a new report waits to flag it, then the flag skips it (it is checked again under the lock)', async () => {
    const b = await shop();
    const first = await report('w_unit_a1', { channel: 'grid_patrol', businessId: b.id, categoryCode: 'HYG03' });
    const second = await report('w_unit_a1', { channel: 'grid_patrol', businessId: b.id, categoryCode: 'PPL02' });
    let third: Promise<any> | undefined;
    await t.ctx.db.transaction().execute(async (trx) => {
      const row = (await sql<any>`SELECT * FROM events WHERE id = ${first.body.id} FOR UPDATE`.execute(trx)).rows[0];
      await trx
        .updateTable('events')
        .set({ state: 'closed', result: '已处理', feedback: '已反馈', feedback_at: new Date(), closed_at: new Date(), version: row.version + 1 })
        .where('id', '=', first.body.id)
        .execute();
      // the third report makes the business hot and must wait for this lock before it flags
      third = report('w_unit_a1', { channel: 'grid_patrol', businessId: b.id, categoryCode: 'GDS04' });
      await new Promise((r) => setTimeout(r, 500));
    });
    expect((await third!).body.hotspot).toBe(true);
    const closed = (await as('w_unit_a1').get(`/api/v1/events/${first.body.id}`)).body;
    expect(closed).toMatchObject({ state: 'closed', hotspot: false, version: first.body.version + 1 });
    expect(closed.history.some((h: any) => h.type === 'hotspot')).toBe(false);
    const open = (await as('w_unit_a1').get(`/api/v1/events/${second.body.id}`)).body;
    expect(open).toMatchObject({ hotspot: true, version: second.body.version + 1 });
  });

  it('When the catalogue item may be self-handled only from the station up, then a grid worker cannot resolve it; an unknown item is 422', async () => {
    const b = await shop();
    const c = await report('w_unit_a1', { channel: 'grid_patrol', businessId: b.id, categoryCode: 'LIC01' });
    const accepted = await ok('w_unit_a1', c.body.id, { type: 'accept' });
    expect(accepted.categoryName).toBe('未取得食品经营（生产）许可证从事经营');
    expect(accepted.allowedActions).toContain('escalate');
    expect(accepted.allowedActions).not.toContain('resolve');
    const r = await act('w_unit_a1', c.body.id, { type: 'resolve', result: '已处理' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('self_handle_not_allowed');
    expect((await act('w_unit_a1', c.body.id, { type: 'escalate', reason: '无证经营须上报' })).status).toBe(200);
    const bad = await report('w_unit_a1', { channel: 'grid_patrol', businessId: b.id, categoryCode: 'NOPE99' });
    expect(bad.status).toBe(422);
    expect(bad.body.error.field).toBe('categoryCode');
  });
});

describe('E12 rules are configuration', () => {
  it('When an admin lowers the hotspot threshold to 2, then the second report on a business makes it a hotspot; others may not change the rules', async () => {
    expect((await as('w_station_a1').put('/api/v1/settings/event-rules', { hotspotThreshold: 2 })).status).toBe(403);
    const bad = await as('w_admin').put('/api/v1/settings/event-rules', { hotspotThreshold: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('hotspotThreshold');
    const r = await as('w_admin').put('/api/v1/settings/event-rules', { hotspotThreshold: 2 });
    expect(r.body).toEqual({ duplicateWindowHours: 72, hotspotThreshold: 2, hotspotDays: 7 });
    try {
      const b = await shop();
      const first = await report('w_unit_a1', { channel: 'grid_patrol', businessId: b.id, categoryCode: 'HYG' });
      await report('w_unit_a1', { channel: 'grid_patrol', businessId: b.id, categoryCode: 'PPL' });
      expect((await as('w_unit_a1').get(`/api/v1/events/${first.body.id}`)).body.hotspot).toBe(true);
    } finally {
      await as('w_admin').put('/api/v1/settings/event-rules', { hotspotThreshold: 3 });
    }
  });
});

describe('lists, queue, metrics, expiry', () => {
  it('When listing with a small limit, then cursor paging returns every event exactly once, newest first', async () => {
    const b = await shop();
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await report('w_unit_a1', { channel: 'grid_patrol', businessId: b.id, title: `第${i}次` })).body.id);
    const p1 = await as('w_station_a1').get(`/api/v1/events?businessId=${b.id}&limit=2`);
    expect(p1.body.items).toHaveLength(2);
    expect(p1.body.nextCursor).toBeTruthy();
    const p2 = await as('w_station_a1').get(`/api/v1/events?businessId=${b.id}&limit=2&cursor=${p1.body.nextCursor}`);
    expect(p2.body.nextCursor).toBeNull();
    expect([...p1.body.items, ...p2.body.items].map((x: any) => x.id)).toEqual([...ids].reverse());
    const mine = await as('w_unit_a1').get(`/api/v1/events?businessId=${b.id}&mine=true&state=open&channel=grid_patrol`);
    expect(mine.body.items).toHaveLength(3);
    const found = await as('w_station_a1').get(`/api/v1/events?businessId=${b.id}&q=${encodeURIComponent('第1次')}`);
    expect(found.body.items.map((x: any) => x.id)).toEqual([ids[1]]);
  });

  it('When exporting, then an .xlsx of exactly the events the filters and jurisdiction allow is returned', async () => {
    const b = await shop('导出测试店');
    await report('w_unit_a1', { channel: 'grid_patrol', businessId: b.id, title: '导出一' });
    await report('w_unit_a1', { channel: 'grid_patrol', businessId: b.id, title: '导出二' });
    const r = await t.app.inject({ method: 'GET', url: `/api/v1/events/export.xlsx?businessId=${b.id}`, headers: { authorization: `Bearer ${tok.w_station_a1}` } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('spreadsheetml');
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.rawPayload as any);
    const ws = wb.worksheets[0];
    expect(ws.rowCount).toBe(3);
    expect(ws.getRow(1).getCell(1).value).toBe('标题');
    expect([ws.getRow(2).getCell(1).value, ws.getRow(3).getCell(1).value].sort()).toEqual(['导出一', '导出二']);
    const outside = await t.app.inject({ method: 'GET', url: `/api/v1/events/export.xlsx?businessId=${b.id}`, headers: { authorization: `Bearer ${tok.w_station_b1}` } });
    const wb2 = new ExcelJS.Workbook();
    await wb2.xlsx.load(outside.rawPayload as any);
    expect(wb2.worksheets[0].rowCount).toBe(1);
  });

  it('When an event is past its deadline, then it is overdue, first in the queue, late in the on-time rate, and the expiry job escalates it', async () => {
    const b = await shop();
    const late = await report('w_station_a1', { channel: 'self_inspection', businessId: b.id, title: '超期事件' });
    const fresh = await report('w_station_a1', { channel: 'self_inspection', businessId: b.id, title: '新事件' });
    await t.ctx.db.updateTable('events').set({ deadline: new Date(Date.now() - 3600_000) }).where('id', '=', late.body.id).execute();
    const q = await as('w_station_a1').get('/api/v1/events/queue?limit=500');
    const order = q.body.items.map((x: any) => x.id);
    expect(order.indexOf(late.body.id)).toBeLessThan(order.indexOf(fresh.body.id));
    expect(q.body.items.find((x: any) => x.id === late.body.id).overdue).toBe(true);
    const overdue = await as('w_station_a1').get(`/api/v1/events?overdue=true&businessId=${b.id}`);
    expect(overdue.body.items.map((x: any) => x.id)).toEqual([late.body.id]);

    const m = await as('w_station_a1').get(`/api/v1/metrics/events?regionId=${w.regions.tA1.id}`);
    expect(m.status).toBe(200);
    expect(m.body.overdue).toBeGreaterThanOrEqual(1);
    expect(m.body.onTime.late).toBeGreaterThanOrEqual(1);
    expect(m.body.onTime.rate).toBeLessThan(1);

    expect(await t.ctx.db.transaction().execute((trx) => escalateForExpiry(t.ctx, trx, fresh.body.id))).toBeNull();
    const up = await t.ctx.db.transaction().execute((trx) => escalateForExpiry(t.ctx, trx, late.body.id));
    expect(up).toMatchObject({ tier: 'county', state: 'open', overdue: false });
    expect(up!.history!.at(-1)).toMatchObject({ type: 'escalate', actorId: null, actorRole: 'system' });
  });

  it('When a grid worker closes at grid tier, then the self-closure rate counts it; events outside the region are not counted', async () => {
    const grid = await region(t.ctx.db, 'grid', '统计网格', w.regions.vA1);
    const unit = await region(t.ctx.db, 'unit', '统计单元', grid);
    await user(t.ctx.db, 'stat_unit', 'unit_leader', { region: unit });
    await user(t.ctx.db, 'stat_gl', 'grid_leader', { region: grid });
    tok.stat_unit = await t.login('stat_unit');
    const b = await foodBusiness(t.ctx.db, '统计小店', unit);
    const self = await report('stat_unit', { channel: 'grid_patrol', businessId: b.id });
    await ok('stat_unit', self.body.id, { type: 'accept' });
    await ok('stat_unit', self.body.id, { type: 'resolve', result: '已处理' });
    await ok('stat_unit', self.body.id, { type: 'feedback', feedback: '已反馈' });
    await ok('stat_unit', self.body.id, { type: 'close' });
    const up = await report('stat_unit', { channel: 'grid_patrol', businessId: b.id, title: '另一个问题' });
    await ok('stat_unit', up.body.id, { type: 'escalate', reason: '处理不了' });
    const m = await as('w_station_a1').get(`/api/v1/metrics/events?regionId=${grid.id}`);
    expect(m.body.selfClosure).toEqual({ gridCollected: 2, selfClosed: 1, rate: 0.5 });
    expect(m.body.byState).toEqual({ closed: 1, open: 1 });
    expect(m.body.byTier).toEqual({ grid: 1, grid_leader: 1 });
    expect(m.body.timeToClose.closed).toBe(1);
    expect(m.body.dwellByTier.grid.stays).toBe(2);
    expect((await as('w_station_b1').get(`/api/v1/metrics/events?regionId=${grid.id}`)).status).toBe(404);
    const league = await as('w_station_a1').get(`/api/v1/metrics/events/by-region?regionId=${grid.id}`);
    expect(league.status).toBe(200);
    expect(league.body.items).toEqual([
      { regionId: String(unit.id), name: '统计单元', level: 'unit', total: 2, closed: 1, overdue: 0, selfClosureRate: 0.5, onTimeRate: 1 },
    ]);
    const villages = await as('w_station_a1').get('/api/v1/metrics/events/by-region');
    expect(villages.body.regionId).toBe(String(w.regions.tA1.id));
    expect(villages.body.items.map((x: any) => x.name)).toContain('甲一社区');
  });

  it('When closed events took 1 h, 2 h and 10 h, then the median time to close is 2 h and the mean 4 h 20 min; a fourth of 3 h makes the median 2 h 30 min', async () => {
    const grid = await region(t.ctx.db, 'grid', '时长网格', w.regions.vA1);
    const unit = await region(t.ctx.db, 'unit', '时长单元', grid);
    await user(t.ctx.db, 'dur_unit', 'unit_leader', { region: unit });
    tok.dur_unit = await t.login('dur_unit');
    const closeTaking = async (hours: number) => {
      const b = await foodBusiness(t.ctx.db, `时长小店${hours}`, unit);
      const e = await report('dur_unit', { channel: 'grid_patrol', businessId: b.id });
      await ok('dur_unit', e.body.id, { type: 'accept' });
      await ok('dur_unit', e.body.id, { type: 'resolve', result: '已处理' });
      await ok('dur_unit', e.body.id, { type: 'feedback', feedback: '已反馈' });
      await ok('dur_unit', e.body.id, { type: 'close' });
      // the time it took, set afterwards: the API closes within the same second
      await sql`UPDATE events SET created_at = closed_at - make_interval(hours => ${hours}) WHERE id = ${e.body.id}`.execute(t.ctx.db);
    };
    const H = 3_600_000;
    for (const h of [10, 1, 2]) await closeTaking(h);
    const m = await as('w_station_a1').get(`/api/v1/metrics/events?regionId=${grid.id}`);
    expect(m.status).toBe(200);
    expect(m.body.timeToClose).toEqual({ closed: 3, meanMs: (13 * H) / 3, medianMs: 2 * H });
    await closeTaking(3);
    const m4 = await as('w_station_a1').get(`/api/v1/metrics/events?regionId=${grid.id}`);
    expect(m4.body.timeToClose).toEqual({ closed: 4, meanMs: 4 * H, medianMs: 2.5 * H });
  });
});
