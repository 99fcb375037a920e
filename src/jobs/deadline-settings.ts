import type { Tx } from '../context.js';
import type { Actor } from '../domain/access.js';
import { normalizeDeadlineSettings, type DeadlineSettings } from '../domain/deadlines.js';
import { writeAudit } from '../modules/audit/store.js';

export const DEADLINE_SETTINGS_KEY = 'event_deadlines';

/**
 * E10 settings (per-tier working days, reminder lead, auto-escalation, local calendar). Missing
 * row or keys = defaults. Callers computing a deadline inside a transaction pass their `trx`.
 */
export async function loadDeadlineSettings(db: Tx): Promise<DeadlineSettings> {
  const r = await db.selectFrom('settings').select('value').where('key', '=', DEADLINE_SETTINGS_KEY).executeTakeFirst();
  try {
    return normalizeDeadlineSettings(r?.value ?? null);
  } catch {
    // A row edited by hand into something invalid must not stop the deadline sweep.
    return normalizeDeadlineSettings(null);
  }
}

/** Admin edit: validated (422 naming the field), merged onto the current value, audited. */
export async function saveDeadlineSettings(trx: Tx, actor: Actor, patch: unknown, ip?: string): Promise<DeadlineSettings> {
  const current = await loadDeadlineSettings(trx);
  const p = (patch ?? {}) as Record<string, any>;
  const merged = normalizeDeadlineSettings({
    ...current,
    ...p,
    workingDays: { ...current.workingDays, ...(p.workingDays ?? {}) },
  });
  const value = JSON.stringify(merged);
  await trx
    .insertInto('settings')
    .values({ key: DEADLINE_SETTINGS_KEY, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: new Date() }))
    .execute();
  await writeAudit(trx, {
    action: 'settings_changed',
    actorId: actor.id,
    actorName: actor.username,
    entity: 'settings',
    entityId: DEADLINE_SETTINGS_KEY,
    ip,
    detail: { before: current, after: merged },
  });
  return merged;
}
