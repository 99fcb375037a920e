import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { createTestApp, type TestApp } from '../../test/helpers/app.js';
import { smallWorld, type SmallWorld } from '../../test/helpers/world.js';
import type { AppContext } from '../context.js';
import { JobRunner, enqueueJob, slotOf, type JobLog } from './runner.js';
import { setExpiryEscalator, sweepDeadlines } from './deadlines.js';
import { deliverOutbox } from './outbox.js';
import { purgeIdempotencyKeys } from './housekeeping.js';

const quiet: JobLog = { info: () => {}, error: () => {} };

let t: TestApp;
let w: SmallWorld;
let clock = new Date('2026-09-29T02:00:00Z');
/** A context whose clock the test sets. */
let ctx: AppContext;

beforeAll(async () => {
  t = await createTestApp();
  w = await smallWorld(t.ctx.db);
  ctx = { ...t.ctx, now: () => clock };
});
afterAll(async () => {
  setExpiryEscalator(null);
  await t?.close();
});

async function heldEvent(opts: { tier?: string; deadline: Date | null; state?: string; holderUserId?: string | null; rectificationDeadline?: Date }) {
  const id = uuidv7();
  await t.ctx.db
    .insertInto('events')
    .values({
      id,
      channel: 'grid_patrol',
      title: `测试事件${id.slice(-4)}`,
      description: '冷藏温度不符合要求',
      region_id: w.regions.uA1.id,
      region_path: w.regions.uA1.path,
      state: opts.state ?? 'in_progress',
      tier: opts.tier ?? 'station',
      origin_tier: 'grid',
      holder_region_id: w.regions.tA1.id,
      holder_path: w.regions.tA1.path,
      holder_org_id: w.orgs.stationA1.id,
      holder_user_id: opts.holderUserId === undefined ? w.users.stationA1.id : opts.holderUserId,
      deadline: opts.deadline,
      rectification_deadline: opts.rectificationDeadline ?? null,
    })
    .execute();
  return id;
}

const noticesFor = async (eventId: string, kind: string) =>
  (await t.ctx.db.selectFrom('notifications').selectAll().where('event_id', '=', eventId).where('kind', '=', kind).execute()).length;

describe('job runner (N2)', () => {
  it('When two runners tick in the same slot, then the recurring job runs once, and again once in the next slot', async () => {
    const ran: string[] = [];
    const job = { name: `test.once.${uuidv7()}`, everyMs: 5000, run: async ({ runner }: { runner: string }) => void ran.push(runner) };
    const a = new JobRunner(ctx, { recurring: [job], log: quiet });
    const b = new JobRunner(ctx, { recurring: [job], log: quiet });
    clock = new Date('2026-09-29T02:00:01Z');
    await Promise.all([a.tick(), b.tick()]);
    await Promise.all([a.idle(), b.idle()]);
    await Promise.all([a.tick(), b.tick()]);
    expect(ran).toHaveLength(1);
    clock = new Date('2026-09-29T02:00:06Z');
    await Promise.all([b.tick(), a.tick()]);
    await Promise.all([a.idle(), b.idle()]);
    expect(ran).toHaveLength(2);
    const runs = await t.ctx.db.selectFrom('job_runs').selectAll().where('name', '=', job.name).orderBy('slot').execute();
    expect(runs.map((r) => [new Date(r.slot).toISOString(), r.status])).toEqual([
      ['2026-09-29T02:00:00.000Z', 'done'],
      ['2026-09-29T02:00:05.000Z', 'done'],
    ]);
  });

  it('When a recurring job throws, then its run is recorded as failed with the error and the next slot runs again', async () => {
    let calls = 0;
    const job = { name: `test.fail.${uuidv7()}`, everyMs: 1000, run: async () => {
      calls++;
      throw new Error('数据库连接中断');
    } };
    const a = new JobRunner(ctx, { recurring: [job], log: quiet });
    clock = new Date('2026-09-29T03:00:00Z');
    await a.tick();
    await a.idle();
    clock = new Date('2026-09-29T03:00:01Z');
    await a.tick();
    await a.idle();
    const runs = await t.ctx.db.selectFrom('job_runs').selectAll().where('name', '=', job.name).execute();
    expect(calls).toBe(2);
    expect(runs.every((r) => r.status === 'failed' && r.error === '数据库连接中断')).toBe(true);
  });

  it('When a one-off job is enqueued and two runners poll, then one of them runs it once; a failing job retries with backoff and then fails', async () => {
    const name = `test.oneoff.${uuidv7()}`;
    const seen: number[] = [];
    let failures = 0;
    const handler = {
      name,
      run: async (_jc: unknown, payload: any) => {
        if (payload.fail) {
          failures++;
          throw new Error('短信网关超时');
        }
        seen.push(payload.n);
      },
    };
    clock = new Date('2026-09-29T04:00:00Z');
    for (let n = 0; n < 5; n++) await enqueueJob(t.ctx.db, name, { n }, { runAt: clock });
    expect(await enqueueJob(t.ctx.db, name, { n: 99 }, { runAt: clock, dedupeKey: 'k1' })).not.toBeNull();
    expect(await enqueueJob(t.ctx.db, name, { n: 99 }, { runAt: clock, dedupeKey: 'k1' })).toBeNull();
    const failId = await enqueueJob(t.ctx.db, name, { fail: true }, { runAt: clock, maxAttempts: 2 });
    const a = new JobRunner(ctx, { recurring: [], handlers: [handler], log: quiet, batch: 2 });
    const b = new JobRunner(ctx, { recurring: [], handlers: [handler], log: quiet, batch: 2 });
    for (let i = 0; i < 4; i++) await Promise.all([a.tick(), b.tick()]);
    expect(seen.sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 99]);
    expect(failures).toBe(1);
    let row = await t.ctx.db.selectFrom('jobs').selectAll().where('id', '=', Number(failId)).executeTakeFirstOrThrow();
    expect(row.status).toBe('pending');
    expect(new Date(row.run_at).getTime()).toBe(clock.getTime() + 10_000);
    clock = new Date('2026-09-29T04:00:11Z');
    await a.tick();
    row = await t.ctx.db.selectFrom('jobs').selectAll().where('id', '=', Number(failId)).executeTakeFirstOrThrow();
    expect([row.status, row.attempts, row.last_error]).toEqual(['failed', 2, '短信网关超时']);
  });

  it('When a process died holding a job or a slot, then after the lease the job runs elsewhere and the slot is marked abandoned', async () => {
    const name = `test.lease.${uuidv7()}`;
    let ran = 0;
    clock = new Date('2026-09-29T05:00:00Z');
    await t.ctx.db
      .insertInto('jobs')
      .values({ name, payload: '{}', run_at: clock, status: 'running', attempts: 1, locked_by: 'dead-host:1:x', locked_at: new Date('2026-09-29T04:40:00Z') })
      .execute();
    await t.ctx.db.insertInto('job_runs').values({ name, slot: new Date('2026-09-29T04:40:00Z'), runner: 'dead-host:1:x', started_at: new Date('2026-09-29T04:40:00Z') }).execute();
    const a = new JobRunner(ctx, { recurring: [], handlers: [{ name, run: async () => void ran++ }], log: quiet });
    await a.tick();
    expect(ran).toBe(1);
    const job = await t.ctx.db.selectFrom('jobs').selectAll().where('name', '=', name).executeTakeFirstOrThrow();
    expect([job.status, job.attempts, job.locked_by]).toEqual(['done', 2, a.id]);
    const run = await t.ctx.db.selectFrom('job_runs').selectAll().where('name', '=', name).executeTakeFirstOrThrow();
    expect(run.status).toBe('abandoned');
  });

  it('When an admin opens the job status, then each recurring job shows its last run; other roles are refused', async () => {
    const admin = await t.login('w_admin');
    const r = await t.api(admin).get('/api/v1/jobs');
    expect(r.status).toBe(200);
    expect(r.body.recurring.some((j: any) => j.name.startsWith('test.once.') && j.status === 'done')).toBe(true);
    expect(r.body.oneOff.done).toBeGreaterThanOrEqual(1);
    expect((await t.api(await t.login('w_station_a1')).get('/api/v1/jobs')).status).toBe(403);
  });

  it('When a slot is computed with a night offset, then daily slots start at 03:00 China time', () => {
    const s = slotOf(new Date('2026-09-29T10:00:00+08:00'), 86400_000, 19 * 3600_000);
    expect(s.toISOString()).toBe('2026-09-28T19:00:00.000Z');
  });
});

describe('deadline sweep (E10)', () => {
  it('When the reminder time comes, then the holder is reminded once; when the deadline passes, then it is flagged and notified once', async () => {
    // station, 5 working days from 29 Sep → end of 12 Oct; reminder 08:00 on 12 Oct
    const id = await heldEvent({ deadline: new Date('2026-10-12T15:59:59.999Z') });
    clock = new Date('2026-10-11T23:00:00Z'); // 07:00 on 12 Oct in China: too early
    await sweepDeadlines(ctx);
    expect(await noticesFor(id, 'event_deadline_reminder')).toBe(0);
    clock = new Date('2026-10-12T00:30:00Z');
    await sweepDeadlines(ctx);
    await sweepDeadlines(ctx);
    expect(await noticesFor(id, 'event_deadline_reminder')).toBe(1);
    const ev = await t.ctx.db.selectFrom('events').select(['reminded_at', 'version']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(ev.reminded_at).not.toBeNull();
    expect(ev.version).toBe(1);
    clock = new Date('2026-10-12T16:00:00Z');
    await sweepDeadlines(ctx);
    await sweepDeadlines(ctx);
    expect(await noticesFor(id, 'event_overdue')).toBe(1);
    const flags = await t.ctx.db.selectFrom('event_deadline_flags').selectAll().where('event_id', '=', id).execute();
    expect(flags).toHaveLength(1);
    expect(flags[0].escalated_at).toBeNull();
  });

  it('When the holder is an organisation without a named user, then its members are reminded', async () => {
    const id = await heldEvent({ deadline: new Date('2026-10-12T15:59:59.999Z'), holderUserId: null });
    clock = new Date('2026-10-12T01:00:00Z');
    await sweepDeadlines(ctx);
    const rows = await t.ctx.db.selectFrom('notifications').select('user_id').where('event_id', '=', id).execute();
    expect(rows.map((r) => r.user_id)).toEqual([w.users.stationA1.id]);
  });

  it('When automatic escalation is on, then an expired event is escalated once and a failure is recorded, not retried', async () => {
    const admin = await t.login('w_admin');
    expect((await t.api(admin).put('/api/v1/settings/deadlines', { autoEscalate: true })).status).toBe(200);
    const good = await heldEvent({ deadline: new Date('2026-11-02T15:59:59.999Z'), tier: 'grid' });
    const bad = await heldEvent({ deadline: new Date('2026-11-02T15:59:59.999Z'), tier: 'county' });
    const escalated: string[] = [];
    setExpiryEscalator(async (_ctx, trx, eventId) => {
      if (eventId === bad) throw new Error('上级无承办机构：测试市');
      await trx.updateTable('events').set({ tier: 'grid_leader', deadline: null }).where('id', '=', eventId).execute();
      escalated.push(eventId);
    });
    try {
      clock = new Date('2026-11-03T01:00:00Z');
      const r1 = await sweepDeadlines(ctx);
      const r2 = await sweepDeadlines(ctx);
      // (events of the tests above are past their deadlines too and escalate with it)
      expect(escalated.filter((e) => e === good)).toHaveLength(1);
      expect(escalated).not.toContain(bad);
      expect(r1.escalationFailed).toBe(1);
      expect(r2.escalationFailed).toBe(0);
      const flag = await t.ctx.db.selectFrom('event_deadline_flags').selectAll().where('event_id', '=', bad).executeTakeFirstOrThrow();
      expect(flag.escalation_error).toBe('上级无承办机构：测试市');
      const okFlag = await t.ctx.db.selectFrom('event_deadline_flags').selectAll().where('event_id', '=', good).executeTakeFirstOrThrow();
      expect(okFlag.escalated_at).not.toBeNull();
    } finally {
      await t.api(admin).put('/api/v1/settings/deadlines', { autoEscalate: false });
      setExpiryEscalator(null);
    }
  });

  it('When a rectification deadline passes, then the holder is told once', async () => {
    const id = await heldEvent({ deadline: null, state: 'rectifying', rectificationDeadline: new Date('2026-12-01T15:59:59.999Z') });
    clock = new Date('2026-12-02T00:00:00Z');
    await sweepDeadlines(ctx);
    await sweepDeadlines(ctx);
    expect(await noticesFor(id, 'rectification_overdue')).toBe(1);
  });
});

describe('deadline settings (E10)', () => {
  it('When an admin edits the per-tier limits, then they are kept, merged with the rest and audited; a bad value names the field', async () => {
    const admin = await t.login('w_admin');
    const before = await t.api(admin).get('/api/v1/settings/deadlines');
    expect(before.status).toBe(200);
    const r = await t.api(admin).put('/api/v1/settings/deadlines', { workingDays: { station: 4 }, extraHolidays: ['2026-11-11'] });
    expect(r.status).toBe(200);
    expect(r.body.workingDays.station).toBe(4);
    expect(r.body.workingDays.county).toBe(before.body.workingDays.county);
    const grid = await t.login('w_grid_a1');
    expect((await t.api(grid).get('/api/v1/settings/deadlines')).body.extraHolidays).toEqual(['2026-11-11']);
    expect((await t.api(grid).put('/api/v1/settings/deadlines', { autoEscalate: true })).status).toBe(403);
    const bad = await t.api(admin).put('/api/v1/settings/deadlines', { workingDays: { station: -2 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toContain('workingDays');
    const audit = await t.ctx.db.selectFrom('audit_log').select('entity_id').where('action', '=', 'settings_changed').where('entity_id', '=', 'event_deadlines').execute();
    expect(audit.length).toBeGreaterThanOrEqual(1);
  });
});

describe('outbox and housekeeping', () => {
  it('When messages are pending, then the log adapter delivers each once; a failing channel is retried with the error kept', async () => {
    await t.ctx.db.insertInto('outbox').values([
      { topic: 'test.ok', channel: 'log', payload: JSON.stringify({ a: 1 }) },
      { topic: 'test.bad', channel: 'sms', payload: JSON.stringify({ a: 2 }) },
    ]).execute();
    const logged: string[] = [];
    const log: JobLog = { info: (m) => logged.push(m), error: () => {} };
    const failing = { sms: async () => { throw new Error('短信通道未配置'); } };
    clock = new Date('2026-12-01T00:00:00Z');
    await deliverOutbox(ctx, log, failing);
    await deliverOutbox(ctx, log, failing); // within the backoff: not retried
    expect(logged.filter((m) => m.includes('test.ok'))).toHaveLength(1);
    const attempts = async () => (await t.ctx.db.selectFrom('outbox').selectAll().where('topic', '=', 'test.bad').executeTakeFirstOrThrow());
    expect(await attempts()).toMatchObject({ delivered_at: null, attempts: 1, last_error: '短信通道未配置' });
    clock = new Date('2026-12-01T00:00:11Z');
    await deliverOutbox(ctx, log, failing);
    expect((await attempts()).attempts).toBe(2);
    clock = new Date('2026-12-01T00:00:40Z');
    await deliverOutbox(ctx, log, {});
    expect((await attempts()).delivered_at).not.toBeNull();
    expect(logged.filter((m) => m.includes('test.bad'))).toHaveLength(1);
  });

  it('When idempotency records are older than 30 days, then they are purged and younger ones kept', async () => {
    clock = new Date('2026-12-31T00:00:00Z');
    await t.ctx.db.insertInto('idempotency_keys').values([
      { scope: 'test', key: 'old', request_hash: 'h', status: 201, body: '{}', created_at: new Date('2026-11-30T00:00:00Z') },
      { scope: 'test', key: 'young', request_hash: 'h', status: 201, body: '{}', created_at: new Date('2026-12-02T00:00:00Z') },
    ]).execute();
    await purgeIdempotencyKeys(ctx, 1);
    const keys = (await t.ctx.db.selectFrom('idempotency_keys').select('key').where('scope', '=', 'test').execute()).map((r) => r.key);
    expect(keys).toEqual(['young']);
    expect(await sql`SELECT 1`.execute(t.ctx.db)).toBeTruthy();
  });
});
