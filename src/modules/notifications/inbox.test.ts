import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { smallWorld, user, type SmallWorld } from '../../../test/helpers/world.js';
import { notify } from './store.js';

let t: TestApp;
let w: SmallWorld;
beforeAll(async () => {
  t = await createTestApp();
  w = await smallWorld(t.ctx.db);
});
afterAll(async () => t?.close());

describe('inbox', () => {
  it('When notices arrive, then the inbox lists mine only, newest first, and read/unread follow the marks', async () => {
    const me = await user(t.ctx.db, 'inbox_me', 'station_staff', { region: w.regions.tA1 });
    const other = await user(t.ctx.db, 'inbox_other', 'station_staff', { region: w.regions.tA1 });
    await t.ctx.db.transaction().execute(async (trx) => {
      await notify(trx, { userId: me.id, kind: 'event.assigned', title: '新事件待处理：后厨卫生' });
      await notify(trx, { userId: me.id, kind: 'event.overdue', title: '事件即将超时' });
      await notify(trx, { userId: other.id, kind: 'event.assigned', title: '别人的消息' });
    });
    const token = await t.login('inbox_me');
    const api = t.api(token);

    expect((await api.get('/api/v1/notifications/unread-count')).body).toEqual({ count: 2 });
    const all = await api.get('/api/v1/notifications');
    expect(all.status).toBe(200);
    expect(all.body.items.map((n: any) => n.title)).toEqual(['事件即将超时', '新事件待处理：后厨卫生']);
    expect(all.body.nextCursor).toBeNull();

    const first = all.body.items[1];
    const read = await api.post(`/api/v1/notifications/${first.id}/read`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: first.id, read: true });
    expect((await api.get('/api/v1/notifications/unread-count')).body.count).toBe(1);
    expect((await api.get('/api/v1/notifications?unread=true')).body.items.map((n: any) => n.title)).toEqual(['事件即将超时']);
    expect((await api.get('/api/v1/notifications?unread=false')).body.items.map((n: any) => n.id)).toEqual([first.id]);

    const all2 = await api.post('/api/v1/notifications/read-all');
    expect(all2.body).toEqual({ updated: 1 });
    expect((await api.get('/api/v1/notifications/unread-count')).body.count).toBe(0);
  });

  it('When I mark someone else’s notice read, then 404 and it stays unread', async () => {
    const a = await user(t.ctx.db, 'inbox_a', 'grid_member', { region: w.regions.gA1 });
    await user(t.ctx.db, 'inbox_b', 'grid_member', { region: w.regions.gA1 });
    await t.ctx.db.transaction().execute((trx) => notify(trx, { userId: a.id, kind: 'x', title: '给 A 的消息' }));
    const row = await t.ctx.db.selectFrom('notifications').select('id').where('user_id', '=', a.id).executeTakeFirstOrThrow();
    const b = t.api(await t.login('inbox_b'));
    expect((await b.post(`/api/v1/notifications/${row.id}/read`)).status).toBe(404);
    expect((await b.get('/api/v1/notifications')).body.items).toEqual([]);
    const again = await t.ctx.db.selectFrom('notifications').select('read_at').where('id', '=', row.id).executeTakeFirstOrThrow();
    expect(again.read_at).toBeNull();
  });

  it('When there are more notices than the limit, then the cursor pages through all of them once', async () => {
    const u = await user(t.ctx.db, 'inbox_pager', 'grid_member', { region: w.regions.gA1 });
    await t.ctx.db.transaction().execute((trx) =>
      notify(trx, Array.from({ length: 5 }, (_, i) => ({ userId: u.id, kind: 'k', title: `消息${i}` }))),
    );
    const api = t.api(await t.login('inbox_pager'));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r: any = await api.get(`/api/v1/notifications?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      seen.push(...r.body.items.map((n: any) => n.title));
      cursor = r.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(['消息0', '消息1', '消息2', '消息3', '消息4']);
  });

  it('When not signed in, then the inbox answers 401', async () => {
    expect((await t.api().get('/api/v1/notifications')).status).toBe(401);
  });
});
