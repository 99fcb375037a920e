import { sql } from 'kysely';
import type { Tx } from '../../context.js';

export interface HistoryStep {
  type: string;
  actorId?: string | null;
  actorRole?: string | null;
  note?: string | null;
  publicNote?: string | null;
  detail?: unknown;
}

/**
 * Appends one step to an event's append-only history (E13) with the next contiguous `seq`. The
 * event row is locked first so two writers cannot take the same number. Used for steps that do
 * not change the event's state (attachments, public ratings).
 */
export async function appendEventHistory(trx: Tx, eventId: string, step: HistoryStep, at: Date = new Date()): Promise<number> {
  await sql`SELECT id FROM events WHERE id = ${eventId} FOR UPDATE`.execute(trx);
  const { next } = await trx
    .selectFrom('event_history')
    .select(sql<number>`COALESCE(MAX(seq), 0) + 1`.as('next'))
    .where('event_id', '=', eventId)
    .executeTakeFirstOrThrow();
  const seq = Number(next);
  await trx
    .insertInto('event_history')
    .values({
      event_id: eventId,
      seq,
      type: step.type,
      actor_id: step.actorId ?? null,
      actor_role: step.actorRole ?? null,
      note: step.note ?? null,
      public_note: step.publicNote ?? null,
      detail: step.detail === undefined ? null : JSON.stringify(step.detail),
      at,
    })
    .execute();
  return seq;
}
