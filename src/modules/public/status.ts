import type { Selectable } from 'kysely';
import type { AppContext, Tx } from '../../context.js';
import { notFound } from '../../domain/errors.js';
import type { EventsTable } from '../../db/schema.js';
import { categoryName } from './catalogue.js';
import { PUBLIC_NOTES } from '../../domain/events/index.js';
import { formatTrackingCode, normalizeTrackingCode } from './tracking-code.js';

export type EventRow = Selectable<EventsTable>;

export const STATE_LABELS: Record<string, { zh: string; en: string }> = {
  open: { zh: '已受理，待处理', en: 'Received' },
  in_progress: { zh: '处理中', en: 'In progress' },
  rectifying: { zh: '责令整改中', en: 'Under rectification' },
  resolved: { zh: '已处理，待反馈', en: 'Handled, feedback pending' },
  closed: { zh: '已办结', en: 'Closed' },
  rejected: { zh: '不予受理', en: 'Not accepted' },
  merged: { zh: '已合并办理', en: 'Merged with another report' },
};

/** Handling level shown to the public: an office, never a person. */
export const LEVEL_LABELS: Record<string, string> = {
  grid: '网格', grid_leader: '网格', village: '村（社区）', station: '市场监管所', county: '县级市场监管部门',
  city: '市级市场监管部门', department: '有关职能部门', enforcement: '执法部门', cadre: '包保责任人',
};

/**
 * Public text per history step when the step carries none (I5: never a staff name, id or the
 * internal note). Steps not listed here and without a public note stay internal (comments,
 * assists, reminders …).
 */
const PUBLIC_STEP_LABELS: Record<string, string> = {
  ...PUBLIC_NOTES,
  create: '已收到您的举报',
  created: '已收到您的举报',
  auto_escalate: '已转上级部门处理',
  reopen_requested: '您已申请重新办理，已通知承办单位',
  public_rating: '您已评价',
};

export const FINAL = ['closed', 'rejected'];
export const DEFAULT_REOPEN_DAYS = 30;

export interface PublicStep {
  type: string;
  label: string;
  at: string;
}

export interface PublicStatus {
  trackingCode: string;
  trackingCodeDisplay: string;
  title: string;
  description: string;
  category: { code: string; name: string | null } | null;
  business: { id: string; name: string; address: string | null } | null;
  place: string | null;
  state: string;
  stateLabel: string;
  /** The same label in both languages (the portal switches). */
  statusLabel: { zh: string; en: string };
  level: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  result: string | null;
  feedback: string | null;
  feedbackAt: string | null;
  rating: number | null;
  ratingComment: string | null;
  canRate: boolean;
  canReopen: boolean;
  reopenUntil: string | null;
  history: PublicStep[];
  messages: Array<{ title: string; body: string | null; at: string }>;
}

export async function reopenWindowDays(db: Tx): Promise<number> {
  const r = await db.selectFrom('settings').select('value').where('key', '=', 'public.reopen_window_days').executeTakeFirst();
  const v = Number(r?.value);
  return Number.isFinite(v) && v > 0 ? v : DEFAULT_REOPEN_DAYS;
}

/** The event behind a tracking code, or 404 (the same answer for malformed and unknown codes). */
export async function eventByTrackingCode(db: Tx, input: string, lock = false): Promise<EventRow> {
  const code = normalizeTrackingCode(input);
  if (!code) throw notFound('report', '举报', 'trackingCode');
  let q = db.selectFrom('events').selectAll().where('tracking_code', '=', code);
  if (lock) q = q.forUpdate();
  const ev = await q.executeTakeFirst();
  if (!ev) throw notFound('report', '举报', 'trackingCode');
  return ev;
}

interface HistoryRow {
  seq: number;
  type: string;
  public_note: string | null;
  at: Date;
}

async function historyOf(db: Tx, eventId: string): Promise<HistoryRow[]> {
  return db.selectFrom('event_history').select(['seq', 'type', 'public_note', 'at']).where('event_id', '=', eventId).orderBy('seq').execute();
}

function publicSteps(rows: HistoryRow[]): PublicStep[] {
  const out: PublicStep[] = [];
  for (const h of rows) {
    const label = h.public_note?.trim() || PUBLIC_STEP_LABELS[h.type];
    if (!label) continue;
    out.push({ type: h.type, label, at: new Date(h.at).toISOString() });
  }
  return out;
}

/** When the current handling ended (the last close or reject step), for the rating and reopen window. */
export function finishedAt(ev: Pick<EventRow, 'state' | 'closed_at' | 'updated_at'>, history: HistoryRow[]): Date | null {
  if (!FINAL.includes(ev.state)) return null;
  const last = [...history].reverse().find((h) => h.type === 'close' || h.type === 'reject');
  return last ? new Date(last.at) : ev.closed_at ? new Date(ev.closed_at) : new Date(ev.updated_at);
}

/** Rated since the handling last ended? (A reopened and re-closed report may be rated again.) */
export function ratedThisRound(history: HistoryRow[]): boolean {
  for (let i = history.length - 1; i >= 0; i--) {
    const t = history[i].type;
    if (t === 'public_rating') return true;
    if (t === 'close' || t === 'reject' || t === 'reopen') return false;
  }
  return false;
}

/**
 * S1 status page: what the reporter may know — state, handling level, public steps, result and
 * feedback — and nothing about who handled it (I5).
 */
export async function publicStatus(ctx: AppContext, input: string): Promise<PublicStatus> {
  const own = await eventByTrackingCode(ctx.db, input);
  const ownHistory = await historyOf(ctx.db, own.id);
  // A duplicate merged into another report follows that report's handling (E12).
  let ev = own;
  let history = ownHistory;
  let steps = publicSteps(ownHistory);
  if (own.state === 'merged' && own.merged_into) {
    const target = await ctx.db.selectFrom('events').selectAll().where('id', '=', own.merged_into).executeTakeFirst();
    if (target) {
      const mergedAt = ownHistory.filter((h) => h.type === 'merge').at(-1)?.at ?? own.updated_at;
      const th = await historyOf(ctx.db, target.id);
      steps = [...steps, ...publicSteps(th.filter((h) => new Date(h.at) > new Date(mergedAt) && h.type !== 'public_rating'))];
      ev = target;
      history = th;
    }
  }
  const done = finishedAt(ev, history);
  const windowDays = await reopenWindowDays(ctx.db);
  const reopenUntil = done ? new Date(done.getTime() + windowDays * 86_400_000) : null;
  const now = ctx.now();
  const business = own.business_id
    ? await ctx.db.selectFrom('businesses').select(['id', 'name', 'address']).where('id', '=', own.business_id).executeTakeFirst()
    : undefined;
  const region = await ctx.db.selectFrom('regions').select(['name']).where('id', '=', own.region_id).executeTakeFirst();
  const messages = await ctx.db
    .selectFrom('notifications')
    .select(['title', 'body', 'created_at'])
    .where('recipient_key', '=', `tracking:${own.tracking_code}`)
    .orderBy('created_at')
    .limit(50)
    .execute();
  return {
    trackingCode: own.tracking_code!,
    trackingCodeDisplay: formatTrackingCode(own.tracking_code!),
    title: own.title,
    description: own.description,
    category: own.category_code ? { code: own.category_code, name: await categoryName(ctx.db, own.category_code) } : null,
    business: business ? { id: business.id, name: business.name, address: business.address } : null,
    place: region?.name ?? null,
    state: ev.state,
    stateLabel: STATE_LABELS[ev.state]?.zh ?? ev.state,
    statusLabel: STATE_LABELS[ev.state] ?? { zh: ev.state, en: ev.state },
    level: FINAL.includes(ev.state) ? null : (LEVEL_LABELS[ev.tier] ?? null),
    createdAt: new Date(own.created_at).toISOString(),
    updatedAt: new Date(ev.updated_at).toISOString(),
    closedAt: ev.closed_at ? new Date(ev.closed_at).toISOString() : null,
    result: ev.result,
    feedback: ev.feedback,
    feedbackAt: ev.feedback_at ? new Date(ev.feedback_at).toISOString() : null,
    rating: own.rating,
    ratingComment: own.rating_comment,
    // Ratings are kept on the reporter's own event (a merged duplicate is rated once).
    canRate: !!done && !ratedThisRound(own === ev ? history : ownHistory),
    canReopen: own === ev && !!done && !!reopenUntil && now <= reopenUntil,
    reopenUntil: own === ev && reopenUntil ? reopenUntil.toISOString() : null,
    history: steps,
    messages: messages.map((m) => ({ title: m.title, body: m.body, at: new Date(m.created_at).toISOString() })),
  };
}
