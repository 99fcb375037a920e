import type { AppContext } from '../../context.js';
import { writeAudit } from '../audit/store.js';
import { discard } from './ingest.js';

/** Pre-uploads never attached within this time are abandoned (a report that was never sent). */
export const ORPHAN_HOURS = 72;

/**
 * Housekeeping job: removes uploads that were never attached to a record — their rows first
 * (one transaction, audited), then their bytes. Attached files are never touched. Returns how
 * many were removed.
 */
export async function purgeOrphanFiles(ctx: AppContext, olderThanHours = ORPHAN_HOURS, batch = 500): Promise<number> {
  const cutoff = new Date(ctx.now().getTime() - olderThanHours * 3_600_000);
  const rows = await ctx.db.transaction().execute(async (trx) => {
    const victims = await trx
      .selectFrom('files')
      .select(['id', 'storage_key', 'thumb_key'])
      .where('entity', 'is', null)
      .where('created_at', '<', cutoff)
      .orderBy('created_at')
      .limit(batch)
      .forUpdate()
      .skipLocked()
      .execute();
    if (!victims.length) return victims;
    await trx.deleteFrom('files').where('id', 'in', victims.map((v) => v.id)).where('entity', 'is', null).execute();
    await writeAudit(trx, { actorName: 'system', action: 'file.purge_orphans', entity: 'file', detail: { count: victims.length, before: cutoff.toISOString() } });
    return victims;
  });
  await discard(
    ctx,
    rows.map((r) => ({ storageKey: r.storage_key, thumbKey: r.thumb_key })),
  );
  return rows.length;
}
