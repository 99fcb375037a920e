import type { Tx } from '../../context.js';
import type { Actor } from '../../domain/access.js';
import { writeAudit } from '../audit/store.js';
import { loadEventSettings } from './store.js';

export interface EventRules {
  /** E12: a report on the same business and category within this many hours of an open one is merged into it. */
  duplicateWindowHours: number;
  /** E12: this many reports … */
  hotspotThreshold: number;
  /** … within this many days on one business (or one village and category) make a hotspot. */
  hotspotDays: number;
}

export async function loadEventRules(db: Tx): Promise<EventRules> {
  const s = await loadEventSettings(db);
  return { duplicateWindowHours: s.duplicateWindowHours, hotspotThreshold: s.hotspotThreshold, hotspotDays: s.hotspotDays };
}

async function put(trx: Tx, key: string, value: unknown) {
  const v = JSON.stringify(value);
  await trx
    .insertInto('settings')
    .values({ key, value: v })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: v, updated_at: new Date() }))
    .execute();
}

/** Admin edit of the E12 rules; omitted keys keep their value; audited in the same transaction. */
export async function saveEventRules(trx: Tx, actor: Actor, patch: Partial<EventRules>, ip?: string): Promise<EventRules> {
  const next = { ...(await loadEventRules(trx)), ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) } as EventRules;
  await put(trx, 'duplicate_window_hours', next.duplicateWindowHours);
  await put(trx, 'hotspot', { threshold: next.hotspotThreshold, days: next.hotspotDays });
  await writeAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'settings_changed', entity: 'settings', entityId: 'event_rules', ip, detail: next });
  return next;
}
