import { v7 as uuidv7 } from 'uuid';
import type { Tx } from '../../context.js';

/** Test helpers for uploads: a multipart body, and an event row written straight to the database. */
export function multipart(parts: Array<{ name: string; filename?: string; contentType?: string; data: Buffer | string }>) {
  const boundary = `----fg${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename) head += `; filename="${p.filename}"`;
    head += '\r\n';
    if (p.filename) head += `Content-Type: ${p.contentType ?? 'application/octet-stream'}\r\n`;
    chunks.push(Buffer.from(head + '\r\n'), Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

export async function insertEvent(
  db: Tx,
  where: { id: number; path: string },
  extra: Partial<{ state: string; tier: string; holderUserId: string; trackingCode: string; channel: string; closedAt: Date; title: string }> = {},
): Promise<string> {
  const id = uuidv7();
  await db
    .insertInto('events')
    .values({
      id,
      channel: extra.channel ?? 'grid_patrol',
      title: extra.title ?? '后厨卫生问题',
      description: '后厨地面有积水，垃圾桶未加盖',
      region_id: where.id,
      region_path: where.path,
      state: extra.state ?? 'open',
      tier: extra.tier ?? 'station',
      origin_tier: extra.tier ?? 'station',
      holder_user_id: extra.holderUserId ?? null,
      tracking_code: extra.trackingCode ?? null,
      closed_at: extra.closedAt ?? null,
    })
    .execute();
  await db.insertInto('event_history').values({ event_id: id, seq: 1, type: 'create', to_state: 'open', public_note: '已受理' }).execute();
  return id;
}
