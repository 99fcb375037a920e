import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { smallWorld, type SmallWorld } from '../../../test/helpers/world.js';
import { insertEvent, multipart } from './test-support.js';
import { attachFiles } from './store.js';
import { purgeOrphanFiles } from './purge.js';

let t: TestApp;
let w: SmallWorld;
let tokens: Record<string, string>;
const uploadDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-files-'));

/** A real photo with EXIF including a GPS position, as phones write it. */
async function photoWithGps(): Promise<Buffer> {
  return sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 200, g: 120, b: 40 } } })
    .jpeg()
    .withMetadata({
      orientation: 6,
      exif: {
        IFD0: { Make: 'TestPhone', Model: 'X1', Artist: '张三' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '25/1 26/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '119/1 0/1 0/1' },
      },
    })
    .toBuffer();
}

const upload = (token: string, file: Buffer, filename = 'photo.jpg', url = '/api/v1/files', extra: Array<{ name: string; data: string }> = []) => {
  const mp = multipart([{ name: 'file', filename, contentType: 'image/jpeg', data: file }, ...extra]);
  return t.app.inject({ method: 'POST', url, payload: mp.body, headers: { ...mp.headers, authorization: `Bearer ${token}` } });
};
const get = (token: string, url: string) => t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

beforeAll(async () => {
  t = await createTestApp({ uploadDir, uploadMaxBytes: 400_000 });
  w = await smallWorld(t.ctx.db);
  tokens = {
    gridA1: await t.login('w_grid_a1'),
    stationA1: await t.login('w_station_a1'),
    stationB1: await t.login('w_station_b1'),
    bureauA: await t.login('w_bureau_a'),
  };
});
afterAll(async () => {
  await t?.close();
  fs.rmSync(uploadDir, { recursive: true, force: true });
});

describe('uploads', () => {
  it('When a JPEG carrying EXIF GPS is uploaded, then the stored photo has no EXIF/GPS, is upright, and has a 320 px thumbnail', async () => {
    const original = await photoWithGps();
    expect((await sharp(original).metadata()).exif).toBeDefined();
    const r = await upload(tokens.gridA1, original, '现场.jpg');
    expect(r.statusCode).toBe(201);
    const info = r.json();
    expect(info).toMatchObject({ kind: 'image', mime: 'image/jpeg', name: '现场.jpg', url: `/api/v1/files/${info.id}` });

    const dl = await get(tokens.gridA1, info.url);
    expect(dl.statusCode).toBe(200);
    expect(dl.headers['content-type']).toBe('image/jpeg');
    // the download narrows the platform's CSP: a stored file runs nothing
    expect(dl.headers['content-security-policy']).toBe("default-src 'none'; img-src 'self'; media-src 'self'");
    const stored = dl.rawPayload;
    const meta = await sharp(stored).metadata();
    expect(meta.exif).toBeUndefined();
    expect(meta.xmp).toBeUndefined();
    expect(stored.includes(Buffer.from('Exif'))).toBe(false);
    expect(stored.includes(Buffer.from('TestPhone'))).toBe(false);
    // Orientation 6 (rotate 90°) was applied to the pixels, so the stored photo is portrait.
    expect([meta.width, meta.height]).toEqual([480, 640]);

    const thumb = await get(tokens.gridA1, info.thumbUrl);
    expect(thumb.statusCode).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/webp');
    const tm = await sharp(thumb.rawPayload).metadata();
    expect(tm.format).toBe('webp');
    expect(Math.max(tm.width!, tm.height!)).toBe(320);

    // On disk under uploadDir/yyyy/mm/dd/<uuid>.jpg, bytes identical to the download.
    const row = await t.ctx.db.selectFrom('files').selectAll().where('id', '=', info.id).executeTakeFirstOrThrow();
    expect(row.storage_key).toMatch(/^\d{4}\/\d{2}\/\d{2}\/[0-9a-f-]{36}\.jpg$/);
    expect(fs.readFileSync(path.join(uploadDir, row.storage_key)).equals(stored)).toBe(true);
  });

  it('When a text file is renamed .jpg, then it is refused by its content with 422 naming file', async () => {
    const r = await upload(tokens.gridA1, Buffer.from('这不是图片 just text pretending to be a photo'), 'fake.jpg');
    expect(r.statusCode).toBe(422);
    expect(r.json().error).toMatchObject({ code: 'unsupported_file_type', field: 'file' });
    expect(await t.ctx.db.selectFrom('files').select('id').where('original_name', '=', 'fake.jpg').execute()).toHaveLength(0);
  });

  it('When a file is larger than the configured limit, then 413 names file and nothing is stored', async () => {
    const big = Buffer.alloc(500_000, 7);
    big.set([0xff, 0xd8, 0xff, 0xe0]);
    const r = await upload(tokens.gridA1, big, 'big.jpg');
    expect(r.statusCode).toBe(413);
    expect(r.json().error.field).toBe('file');
    expect(await t.ctx.db.selectFrom('files').select('id').where('original_name', '=', 'big.jpg').execute()).toHaveLength(0);
  });

  it('When the request is not multipart, then 422 names file', async () => {
    const r = await t.api(tokens.gridA1).post('/api/v1/files', { file: 'x' });
    expect(r.status).toBe(422);
    expect(r.body.error.field).toBe('file');
  });

  it('When a phone retries an upload with the same Idempotency-Key, then the first answer comes back and one file is stored', async () => {
    const photo = await photoWithGps();
    const send = (data: Buffer) => {
      const mp = multipart([{ name: 'file', filename: 'retry.jpg', data }]);
      return t.app.inject({ method: 'POST', url: '/api/v1/files', payload: mp.body, headers: { ...mp.headers, authorization: `Bearer ${tokens.gridA1}`, 'idempotency-key': 'c-123-photo-0' } });
    };
    const a = await send(photo);
    const b = await send(photo);
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(201);
    expect(b.json().id).toBe(a.json().id);
    expect(await t.ctx.db.selectFrom('files').select('id').where('original_name', '=', 'retry.jpg').execute()).toHaveLength(1);
    const other = await send(Buffer.concat([photo, Buffer.from([0])]));
    expect(other.statusCode).toBe(409);
  });

  it('When not signed in, then the upload route takes a photo as a public upload but no video, and a stale token gets 401', async () => {
    const anon = multipart([{ name: 'file', filename: 'a.jpg', data: await photoWithGps() }]);
    const ok = await t.app.inject({ method: 'POST', url: '/api/v1/files', payload: anon.body, headers: anon.headers });
    expect(ok.statusCode).toBe(201);
    const row = await t.ctx.db.selectFrom('files').selectAll().where('id', '=', ok.json().id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ public_upload: true, uploaded_by: null });
    const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 16]), Buffer.from('ftypisom'), Buffer.alloc(4), Buffer.from([0, 0, 0, 8]), Buffer.from('mdat')]);
    const video = multipart([{ name: 'file', filename: 'v.mp4', data: mp4 }]);
    const refused = await t.app.inject({ method: 'POST', url: '/api/v1/files', payload: video.body, headers: video.headers });
    expect(refused.statusCode).toBe(422);
    const stale = multipart([{ name: 'file', filename: 'a.jpg', data: await photoWithGps() }]);
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/files', payload: stale.body, headers: { ...stale.headers, authorization: 'Bearer not-a-session' } });
    expect(r.statusCode).toBe(401);
  });

  it('When a staff member uploads a video, then it is kept as MP4 with its metadata boxes blanked', async () => {
    const gps = Buffer.from('+25.4333+119.0000/', 'latin1');
    const box = (type: string, payload: Buffer) => {
      const h = Buffer.alloc(8);
      h.writeUInt32BE(8 + payload.length, 0);
      h.write(type, 4, 'latin1');
      return Buffer.concat([h, payload]);
    };
    const mp4 = Buffer.concat([
      box('ftyp', Buffer.from('isom\0\0\0\0isommp41', 'latin1')),
      box('moov', Buffer.concat([box('mvhd', Buffer.alloc(20)), box('udta', box('\xa9xyz', gps))])),
      box('mdat', Buffer.alloc(64, 5)),
    ]);
    const r = await upload(tokens.gridA1, mp4, 'clip.mp4');
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ kind: 'video', mime: 'video/mp4', thumbUrl: null, size: mp4.length });
    const dl = await get(tokens.gridA1, r.json().url);
    expect(dl.rawPayload.length).toBe(mp4.length);
    expect(dl.rawPayload.includes(gps)).toBe(false);
  });
});

describe('event attachments and the jurisdiction guard', () => {
  it('When photos are added to an event, then they form one history step and only people with jurisdiction can download them', async () => {
    const eventId = await insertEvent(t.ctx.db, w.regions.uA1);
    const r = await upload(tokens.stationA1, await photoWithGps(), 'a.jpg', `/api/v1/events/${eventId}/attachments`, [{ name: 'note', data: '补充现场照片' }]);
    expect(r.statusCode).toBe(201);
    const { historySeq, items } = r.json();
    expect(historySeq).toBe(2);
    expect(items).toHaveLength(1);
    const h = await t.ctx.db.selectFrom('event_history').selectAll().where('event_id', '=', eventId).where('seq', '=', 2).executeTakeFirstOrThrow();
    expect(h).toMatchObject({ type: 'comment', note: '补充现场照片', actor_id: w.users.stationA1.id });
    expect((h.detail as any).attachments).toEqual([items[0].id]);

    const list = await get(tokens.bureauA, `/api/v1/events/${eventId}/attachments`);
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((f: any) => f.id)).toEqual([items[0].id]);

    expect((await get(tokens.bureauA, items[0].url)).statusCode).toBe(200);
    expect((await get(tokens.stationA1, items[0].thumbUrl)).statusCode).toBe(200);
    // Another county's station: the file, its thumbnail and the event's list all look missing.
    expect((await get(tokens.stationB1, items[0].url)).statusCode).toBe(404);
    expect((await get(tokens.stationB1, items[0].thumbUrl)).statusCode).toBe(404);
    expect((await get(tokens.stationB1, `/api/v1/events/${eventId}/attachments`)).statusCode).toBe(404);
  });

  it('When the field app repeats a multi-photo attach with the same Idempotency-Key, then one history step and one set of files exist', async () => {
    const eventId = await insertEvent(t.ctx.db, w.regions.uA1);
    const photo = await photoWithGps();
    const send = () => {
      const mp = multipart([
        { name: 'file', filename: 'p1.jpg', data: photo },
        { name: 'file', filename: 'p2.jpg', data: photo },
      ]);
      return t.app.inject({
        method: 'POST',
        url: `/api/v1/events/${eventId}/attachments`,
        payload: mp.body,
        headers: { ...mp.headers, authorization: `Bearer ${tokens.gridA1}`, 'idempotency-key': 'c-9-photos' },
      });
    };
    const a = await send();
    const b = await send();
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(201);
    expect(b.json()).toEqual(a.json());
    expect(a.json().items).toHaveLength(2);
    expect(await t.ctx.db.selectFrom('files').select('id').where('event_id', '=', eventId).execute()).toHaveLength(2);
    expect(await t.ctx.db.selectFrom('event_history').select('seq').where('event_id', '=', eventId).execute()).toHaveLength(2);
  });

  it('When a grid worker reports with photos uploaded ahead (attachmentIds), then they join the first history step, once even when the report is sent twice', async () => {
    const photo = (await upload(tokens.gridA1, await photoWithGps(), '后厨.jpg')).json();
    const report = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: { authorization: `Bearer ${tokens.gridA1}` },
        payload: { channel: 'grid_patrol', title: '后厨地面积水', description: '见照片', regionId: String(w.regions.uA1.id), clientId: 'with-photo-1', attachmentIds: [photo.id] },
      });
    const r = await report();
    expect(r.statusCode, r.body).toBe(201);
    const eventId = r.json().id;
    const f = await t.ctx.db.selectFrom('files').select(['event_id', 'history_seq', 'entity']).where('id', '=', photo.id).executeTakeFirstOrThrow();
    expect(f).toEqual({ event_id: eventId, history_seq: 1, entity: 'event' });
    const list = await get(tokens.stationA1, `/api/v1/events/${eventId}/attachments`);
    expect(list.json().items.map((x: any) => [x.id, x.historySeq])).toEqual([[photo.id, 1]]);
    // the phone lost the answer and sends again: the same event, the photo still attached once
    const again = await report();
    expect(again.statusCode).toBe(201);
    expect(again.json().id).toBe(eventId);
    expect(await t.ctx.db.selectFrom('files').select('id').where('event_id', '=', eventId).execute()).toHaveLength(1);
  });

  it('When a report names a file that is not the reporter’s own upload, then 422 names attachmentIds and no event is written', async () => {
    const theirs = (await upload(tokens.stationA1, await photoWithGps())).json();
    const before = await t.ctx.db.selectFrom('events').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { authorization: `Bearer ${tokens.gridA1}` },
      payload: { channel: 'grid_patrol', title: '冒用照片', description: '测试', regionId: String(w.regions.uA1.id), attachmentIds: [theirs.id] },
    });
    expect(r.statusCode).toBe(422);
    expect(r.json().error).toMatchObject({ code: 'attachment_invalid', field: 'attachmentIds' });
    const after = await t.ctx.db.selectFrom('events').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    expect(await t.ctx.db.selectFrom('events').select('id').where('title', '=', '冒用照片').execute()).toHaveLength(0);
    const row = await t.ctx.db.selectFrom('files').select('entity').where('id', '=', theirs.id).executeTakeFirstOrThrow();
    expect(row.entity).toBeNull();
  });

  it('When someone outside the jurisdiction attaches to an event, then 404 and nothing is written', async () => {
    const eventId = await insertEvent(t.ctx.db, w.regions.uA1);
    const r = await upload(tokens.stationB1, await photoWithGps(), 'b.jpg', `/api/v1/events/${eventId}/attachments`);
    expect(r.statusCode).toBe(404);
    expect(await t.ctx.db.selectFrom('event_history').select('seq').where('event_id', '=', eventId).execute()).toHaveLength(1);
  });

  it('When a pre-uploaded file is not yet attached, then only its uploader can download it', async () => {
    const info = (await upload(tokens.gridA1, await photoWithGps())).json();
    expect((await get(tokens.gridA1, info.url)).statusCode).toBe(200);
    expect((await get(tokens.stationA1, info.url)).statusCode).toBe(404);
  });

  it('When attachFiles gets another user’s or an unknown file, then 422 names attachmentIds and nothing is attached', async () => {
    const eventId = await insertEvent(t.ctx.db, w.regions.uA1);
    const mine = (await upload(tokens.gridA1, await photoWithGps())).json();
    const theirs = (await upload(tokens.stationA1, await photoWithGps())).json();
    const actor = { id: w.users.gridMemberA1.id };
    await expect(
      t.ctx.db.transaction().execute((trx) => attachFiles(trx, actor, [mine.id, theirs.id], { eventId })),
    ).rejects.toMatchObject({ code: 'attachment_invalid', field: 'attachmentIds' });
    const row = await t.ctx.db.selectFrom('files').select('entity').where('id', '=', mine.id).executeTakeFirstOrThrow();
    expect(row.entity).toBeNull();
    // The right one attaches, and then counts as in use.
    const ok = await t.ctx.db.transaction().execute((trx) => attachFiles(trx, actor, [mine.id], { eventId, historySeq: 1 }));
    expect(ok[0]).toMatchObject({ event_id: eventId, history_seq: 1 });
    await expect(t.ctx.db.transaction().execute((trx) => attachFiles(trx, actor, [mine.id], { eventId }))).rejects.toMatchObject({
      code: 'attachment_in_use',
    });
    // Attached: now visible by jurisdiction, still not to another county.
    expect((await get(tokens.stationA1, mine.url)).statusCode).toBe(200);
    expect((await get(tokens.stationB1, mine.url)).statusCode).toBe(404);
  });

  it('When a byte range is asked, then 206 returns exactly that slice', async () => {
    const info = (await upload(tokens.gridA1, await photoWithGps())).json();
    const full = (await get(tokens.gridA1, info.url)).rawPayload;
    const r = await t.app.inject({ method: 'GET', url: info.url, headers: { authorization: `Bearer ${tokens.gridA1}`, range: 'bytes=0-99' } });
    expect(r.statusCode).toBe(206);
    expect(r.headers['content-range']).toBe(`bytes 0-99/${full.length}`);
    expect(r.rawPayload.equals(full.subarray(0, 100))).toBe(true);
  });
});

describe('housekeeping', () => {
  it('When a pre-upload was never attached for days, then the purge removes its row and bytes but keeps attached files', async () => {
    const orphan = (await upload(tokens.gridA1, await photoWithGps(), 'orphan.jpg')).json();
    const eventId = await insertEvent(t.ctx.db, w.regions.uA1);
    const kept = (await upload(tokens.stationA1, await photoWithGps(), 'kept.jpg', `/api/v1/events/${eventId}/attachments`)).json().items[0];
    const old = new Date(Date.now() - 4 * 86_400_000);
    await t.ctx.db.updateTable('files').set({ created_at: old }).where('id', 'in', [orphan.id, kept.id]).execute();
    const orphanRow = await t.ctx.db.selectFrom('files').selectAll().where('id', '=', orphan.id).executeTakeFirstOrThrow();

    const n = await purgeOrphanFiles(t.ctx);
    expect(n).toBeGreaterThanOrEqual(1);
    expect(await t.ctx.db.selectFrom('files').select('id').where('id', '=', orphan.id).execute()).toHaveLength(0);
    expect(fs.existsSync(path.join(uploadDir, orphanRow.storage_key))).toBe(false);
    expect(fs.existsSync(path.join(uploadDir, orphanRow.thumb_key!))).toBe(false);
    expect((await get(tokens.stationA1, kept.url)).statusCode).toBe(200);
  });
});
