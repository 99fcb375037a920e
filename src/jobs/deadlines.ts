import { sql } from 'kysely';
import type { AppContext, Tx } from '../context.js';
import { reminderAt, type DeadlineSettings } from '../domain/deadlines.js';
import { notify, type Notice } from '../modules/notifications/store.js';
import { writeAudit } from '../modules/audit/store.js';
import { loadDeadlineSettings } from './deadline-settings.js';
import type { JobLog } from './runner.js';
import { escalateForExpiry } from '../modules/events/act.js';
import { holderUserIds } from '../modules/events/store.js';
import type { Tier } from '../domain/events/index.js';

/** States in which the holder's deadline runs (rectifying waits on the business: see E8 below). */
const RUNNING_STATES = ['open', 'in_progress'];
/** Tiers the automatic escalation may move up from (E3 path; the city has nowhere to go). */
const ESCALATABLE_TIERS = ['grid', 'grid_leader', 'village', 'station', 'county'];
const BATCH = 200;

interface HeldEvent {
  id: string;
  title: string;
  tier: string;
  deadline: Date;
  holder_user_id: string | null;
  holder_org_id: number | null;
  holder_region_id: number | null;
}

/** Who gets a deadline notice: the holder, as the events module defines it (E10). */
export async function holderRecipients(trx: Tx, e: Pick<HeldEvent, 'tier' | 'holder_user_id' | 'holder_org_id' | 'holder_region_id'>): Promise<string[]> {
  return holderUserIds(trx, { tier: e.tier as Tier, userId: e.holder_user_id, organizationId: e.holder_org_id, regionId: e.holder_region_id });
}

const fmt = (d: Date) =>
  new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).format(d);

/** How the job escalates an expired event (the events module's, unless a test replaces it). */
export type ExpiryEscalator = (ctx: AppContext, trx: Tx, eventId: string) => Promise<unknown>;

let escalatorOverride: ExpiryEscalator | null = null;
/** Tests replace the escalator; `null` restores the events module's. */
export function setExpiryEscalator(fn: ExpiryEscalator | null) {
  escalatorOverride = fn;
}

export interface SweepResult {
  reminded: number;
  overdue: number;
  rectificationOverdue: number;
  escalated: number;
  escalationFailed: number;
}

/**
 * E10, run every minute by the `events.deadlines` job (exactly once per minute across servers):
 * 1. reminds the holder once when the reminder time of the current deadline has come;
 * 2. flags each deadline that has passed (one `event_deadline_flags` row, one notice);
 * 3. flags overdue rectifications (E8);
 * 4. when `autoEscalate` is on, escalates each flagged event one tier up, in its own transaction.
 */
export async function sweepDeadlines(ctx: AppContext, log?: JobLog): Promise<SweepResult> {
  const settings = await loadDeadlineSettings(ctx.db);
  const now = ctx.now();
  const out: SweepResult = { reminded: 0, overdue: 0, rectificationOverdue: 0, escalated: 0, escalationFailed: 0 };
  out.reminded = await remind(ctx, settings, now);
  out.overdue = await flagOverdue(ctx, now);
  out.rectificationOverdue = await flagRectifications(ctx, now);
  if (settings.autoEscalate) {
    const r = await autoEscalate(ctx, now, log);
    out.escalated = r.ok;
    out.escalationFailed = r.failed;
  }
  return out;
}

async function remind(ctx: AppContext, settings: DeadlineSettings, now: Date): Promise<number> {
  if (!settings.reminderWorkingDays) return 0;
  // Reminder times lie at most a few weeks before the deadline (long holidays); look that far.
  const horizon = new Date(now.getTime() + (settings.reminderWorkingDays * 2 + 16) * 86400_000);
  let total = 0;
  for (;;) {
    const candidates = await ctx.db
      .selectFrom('events')
      .select(['id', 'deadline'])
      .where('state', 'in', RUNNING_STATES)
      .where('reminded_at', 'is', null)
      .where('deadline', '>', now)
      .where('deadline', '<=', horizon)
      .orderBy('deadline')
      .limit(BATCH * 5)
      .execute();
    const due = candidates.filter((c) => c.deadline && reminderAt(c.deadline, settings)!.getTime() <= now.getTime()).slice(0, BATCH);
    if (!due.length) return total;
    const n = await ctx.db.transaction().execute(async (trx) => {
      // Only rows still as we saw them: a tier change in between resets the deadline.
      const rows = (
        await sql<HeldEvent>`UPDATE events SET reminded_at = ${now}
          WHERE id = ANY(${due.map((d) => d.id)}::uuid[]) AND reminded_at IS NULL
            AND state IN ('open','in_progress') AND deadline > ${now}
          RETURNING id, title, tier, deadline, holder_user_id, holder_org_id, holder_region_id`.execute(trx)
      ).rows;
      const notices: Notice[] = [];
      for (const e of rows) {
        for (const userId of await holderRecipients(trx, e)) {
          notices.push({
            userId,
            kind: 'event_deadline_reminder',
            title: `事件即将到期：${e.title}`,
            body: `办理时限为 ${fmt(new Date(e.deadline))}，请及时办理。`,
            eventId: e.id,
            link: `/events/${e.id}`,
          });
        }
      }
      await notify(trx, notices);
      return rows.length;
    });
    total += n;
    if (due.length < BATCH && candidates.length < BATCH * 5) return total;
  }
}

async function flagOverdue(ctx: AppContext, now: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await ctx.db.transaction().execute(async (trx) => {
      const rows = (
        await sql<HeldEvent>`SELECT e.id, e.title, e.tier, e.deadline, e.holder_user_id, e.holder_org_id, e.holder_region_id
          FROM events e
          WHERE e.state IN ('open','in_progress') AND e.deadline < ${now}
            AND NOT EXISTS (SELECT 1 FROM event_deadline_flags f WHERE f.event_id = e.id AND f.deadline = e.deadline)
          ORDER BY e.deadline LIMIT ${BATCH}
          FOR UPDATE OF e SKIP LOCKED`.execute(trx)
      ).rows;
      if (!rows.length) return 0;
      await trx
        .insertInto('event_deadline_flags')
        .values(rows.map((e) => ({ event_id: e.id, deadline: e.deadline, tier: e.tier, overdue_at: now })))
        .onConflict((oc) => oc.doNothing())
        .execute();
      const notices: Notice[] = [];
      for (const e of rows) {
        for (const userId of await holderRecipients(trx, e)) {
          notices.push({
            userId,
            kind: 'event_overdue',
            title: `事件已超期：${e.title}`,
            body: `办理时限 ${fmt(new Date(e.deadline))} 已过，请尽快办理或说明情况。`,
            eventId: e.id,
            link: `/events/${e.id}`,
          });
        }
      }
      await notify(trx, notices);
      await writeAudit(trx, { action: 'events_overdue_flagged', entity: 'event', detail: { eventIds: rows.map((r) => r.id) } });
      return rows.length;
    });
    total += n;
    if (n < BATCH) return total;
  }
}

async function flagRectifications(ctx: AppContext, now: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await ctx.db.transaction().execute(async (trx) => {
      const rows = (
        await sql<HeldEvent & { rectification_deadline: Date }>`SELECT e.id, e.title, e.tier, e.rectification_deadline, e.holder_user_id, e.holder_org_id, e.holder_region_id
          FROM events e
          WHERE e.state = 'rectifying' AND e.rectification_deadline < ${now}
            AND NOT EXISTS (SELECT 1 FROM event_deadline_flags f WHERE f.event_id = e.id AND f.deadline = e.rectification_deadline)
          ORDER BY e.rectification_deadline LIMIT ${BATCH}
          FOR UPDATE OF e SKIP LOCKED`.execute(trx)
      ).rows;
      if (!rows.length) return 0;
      await trx
        .insertInto('event_deadline_flags')
        .values(rows.map((e) => ({ event_id: e.id, deadline: e.rectification_deadline, tier: 'rectification', overdue_at: now })))
        .onConflict((oc) => oc.doNothing())
        .execute();
      const notices: Notice[] = [];
      for (const e of rows) {
        for (const userId of await holderRecipients(trx, e)) {
          notices.push({
            userId,
            kind: 'rectification_overdue',
            title: `整改逾期：${e.title}`,
            body: `整改期限 ${fmt(new Date(e.rectification_deadline))} 已过，请核查整改情况。`,
            eventId: e.id,
            link: `/events/${e.id}`,
          });
        }
      }
      await notify(trx, notices);
      return rows.length;
    });
    total += n;
    if (n < BATCH) return total;
  }
}

async function autoEscalate(ctx: AppContext, now: Date, log?: JobLog): Promise<{ ok: number; failed: number }> {
  const flagged = (
    await sql<{ event_id: string; deadline: Date }>`SELECT f.event_id, f.deadline FROM event_deadline_flags f
      JOIN events e ON e.id = f.event_id AND e.deadline = f.deadline
      WHERE f.escalated_at IS NULL AND f.escalation_error IS NULL AND f.tier <> 'rectification'
        AND e.state IN ('open','in_progress') AND e.tier IN (${sql.join(ESCALATABLE_TIERS)})
      ORDER BY f.overdue_at LIMIT ${BATCH}`.execute(ctx.db)
  ).rows;
  if (!flagged.length) return { ok: 0, failed: 0 };
  const escalate = escalatorOverride ?? escalateForExpiry;
  let ok = 0;
  let failed = 0;
  for (const f of flagged) {
    try {
      await ctx.db.transaction().execute(async (trx) => {
        const res = await escalate(ctx, trx, f.event_id);
        if (res === null) {
          // The engine found nothing to do (closed or deadline moved in the meantime).
          await sql`UPDATE event_deadline_flags SET escalation_error = ${'事件已不在办理中或未超期，未升级'}
            WHERE event_id = ${f.event_id} AND deadline = ${f.deadline}`.execute(trx);
        } else {
          await sql`UPDATE event_deadline_flags SET escalated_at = ${now} WHERE event_id = ${f.event_id} AND deadline = ${f.deadline}`.execute(trx);
        }
        return res;
      }).then((res) => (res === null ? undefined : ok++));
    } catch (e) {
      failed++;
      const error = (e as any)?.zh ?? (e as Error).message ?? String(e);
      log?.error('automatic escalation failed', { eventId: f.event_id, error });
      // Recorded, not retried every minute: the holder was notified and a person decides.
      await sql`UPDATE event_deadline_flags SET escalation_error = ${String(error).slice(0, 500)}
        WHERE event_id = ${f.event_id} AND deadline = ${f.deadline}`.execute(ctx.db);
    }
  }
  return { ok, failed };
}
