import { DomainError, conflict, forbidden, invalid, notFound } from '../errors.js';
import { inScope } from '../access.js';
import { deadlineFor } from '../deadlines.js';
import type {
  Action,
  ActionType,
  ActingActor,
  ApplyResult,
  Effect,
  EventSnapshot,
  EventState,
  HistoryEntry,
  Holder,
  Penalty,
  Tier,
  World,
} from './model.js';
import { ACTION_TYPES, LADDER, PENALTIES, SKIP_REASONS, SKIP_REASON_LABELS, TIERS, TIER_LABELS, TIER_ROLES } from './model.js';
import { belowOrigin, ladderRank, nextTierUp, orgCovers, resolveHolder } from './routing.js';

/**
 * The event state machine as data (ARCHITECTURE "The state machine is data"): for each action,
 * the states it may be taken in, the holder tiers that may take it and who may take it.
 */
type Who = 'holder' | 'holder_or_collector' | 'holder_or_business' | 'anyone_in_scope';

export interface ActionRule {
  from: readonly EventState[];
  tiers: readonly Tier[];
  who: Who;
  /** The deadline job may take it (E10 automatic escalation). */
  system?: boolean;
}

const ALL_TIERS = TIERS;
const WORKING: readonly EventState[] = ['open', 'in_progress', 'rectifying'];

export const ACTION_RULES: Record<ActionType, ActionRule> = {
  accept: { from: ['open'], tiers: ALL_TIERS, who: 'holder' },
  escalate: { from: WORKING, tiers: ['grid', 'grid_leader', 'village', 'station', 'county', 'cadre'], who: 'holder', system: true },
  skip_escalate: { from: WORKING, tiers: ['station', 'county'], who: 'holder' },
  transfer: { from: ['open', 'in_progress'], tiers: ['station', 'county', 'city'], who: 'holder' },
  return: { from: ['open', 'in_progress'], tiers: ['department', 'enforcement'], who: 'holder' },
  refer_enforcement: { from: WORKING, tiers: ['station', 'county', 'city'], who: 'holder' },
  record_case: { from: ['open', 'in_progress'], tiers: ['enforcement'], who: 'holder' },
  order_rectification: { from: ['in_progress'], tiers: ALL_TIERS, who: 'holder' },
  submit_rectification: { from: ['rectifying'], tiers: ALL_TIERS, who: 'holder_or_business' },
  verify_rectification: { from: ['rectifying'], tiers: ALL_TIERS, who: 'holder' },
  request_assist: { from: WORKING, tiers: ['grid_leader', 'village', 'station', 'county', 'city', 'enforcement', 'department'], who: 'holder' },
  resolve: { from: ['in_progress'], tiers: ALL_TIERS, who: 'holder' },
  feedback: { from: ['resolved', 'rejected'], tiers: ALL_TIERS, who: 'holder' },
  close: { from: ['resolved'], tiers: ALL_TIERS, who: 'holder' },
  reject: { from: ['open', 'in_progress'], tiers: ALL_TIERS, who: 'holder' },
  merge: { from: ['open', 'in_progress'], tiers: ALL_TIERS, who: 'holder' },
  reopen: { from: ['closed', 'rejected'], tiers: ALL_TIERS, who: 'holder_or_collector' },
  comment: { from: ['open', 'in_progress', 'rectifying', 'resolved', 'closed', 'rejected', 'merged'], tiers: ALL_TIERS, who: 'anyone_in_scope' },
};

/** Public tracking page text for each step (no staff names, I5). */
export const PUBLIC_NOTES: Partial<Record<ActionType, string>> = {
  accept: '已受理',
  escalate: '已转上级部门处理',
  skip_escalate: '已提级由上级部门处理',
  transfer: '已转有关部门处理',
  return: '已退回原承办单位',
  refer_enforcement: '已移交执法部门查处',
  record_case: '执法部门已立案处理',
  order_rectification: '已责令经营者整改',
  submit_rectification: '经营者已反馈整改情况',
  verify_rectification: '已复查整改情况',
  resolve: '已处理完毕',
  feedback: '已反馈处理结果',
  close: '已办结',
  reject: '不予受理',
  merge: '已与同一问题的其他举报合并办理',
  reopen: '已重新办理',
};

/** The person (or holder organisation / region) who holds the event, may act on it as the holder. */
export function isHolder(event: Pick<EventSnapshot, 'holder'>, actor: ActingActor): boolean {
  if (actor.kind !== 'user') return false;
  const h = event.holder;
  if (h.userId) return actor.id === h.userId;
  if (h.organizationId != null && actor.organizationId === h.organizationId) return true;
  // A region-held tier (grid leader, village) is held by the people of that tier in the region.
  // Members of another organisation never hold through their seat: a brigade officer seated in
  // the city does not hold another brigade's case, nor one department another's.
  if (h.organizationId != null && actor.organizationId != null) return false;
  return h.regionId != null && actor.regionId === h.regionId && TIER_ROLES[h.tier].includes(actor.role);
}

/**
 * E11: the catalogue's self-handle tiers restrict resolving on the market-supervision ladder
 * only; a department, a brigade or a cadre that holds an event resolves it in its own remit.
 */
export function selfHandleBlocks(tier: Tier, allowed: readonly string[] | null | undefined): boolean {
  return !!allowed && allowed.length > 0 && (LADDER as readonly string[]).includes(tier) && !allowed.includes(tier);
}

function entitled(rule: ActionRule, event: EventSnapshot, actor: ActingActor): boolean {
  if (actor.kind === 'system') return !!rule.system;
  switch (rule.who) {
    case 'anyone_in_scope':
      return true;
    case 'holder':
      return isHolder(event, actor);
    case 'holder_or_collector':
      return isHolder(event, actor) || (event.collectorId != null && actor.id === event.collectorId);
    case 'holder_or_business':
      return isHolder(event, actor) || isOwnBusiness(event, actor);
  }
}

/** E8: the business's own account answers for its rectification. */
export function isOwnBusiness(event: Pick<EventSnapshot, 'businessId'>, actor: ActingActor): boolean {
  return actor.kind === 'user' && actor.role === 'business' && !!actor.businessId && actor.businessId === event.businessId;
}

function visible(event: EventSnapshot, actor: ActingActor): boolean {
  if (actor.kind === 'system') return true;
  if (actor.role === 'business') return isOwnBusiness(event, actor) || isHolder(event, actor) || (event.collectorId != null && event.collectorId === actor.id);
  return inScope(actor.scope, event.regionPath) || isHolder(event, actor);
}

/**
 * The actions the caller may take now (the console shows these as buttons). Parameters and
 * routing gaps are not checked here; `apply` checks them.
 */
export function allowedActions(event: EventSnapshot, actor: ActingActor, opts: { selfHandleTiers?: readonly string[] | null } = {}): ActionType[] {
  if (!visible(event, actor)) return [];
  return ACTION_TYPES.filter((t) => {
    const r = ACTION_RULES[t];
    if (!r.from.includes(event.state) || !r.tiers.includes(event.tier)) return false;
    if (!entitled(r, event, actor)) return false;
    if (t === 'escalate' && !nextTierUp(event.tier)) return false;
    if (t === 'close' && (!event.result || !event.feedback)) return false;
    if (t === 'resolve' && selfHandleBlocks(event.tier, opts.selfHandleTiers)) return false;
    return true;
  });
}

// ---------------------------------------------------------------- parameters

const MAX_TEXT = 4000;

function text(action: Action, field: string, opts: { optional?: boolean } = {}): string | null {
  const v = action[field];
  if (v === undefined || v === null || (typeof v === 'string' && !v.trim())) {
    if (opts.optional) return null;
    throw invalid('missing_parameter', field, `缺少参数：${field}`, `${field} is required`);
  }
  if (typeof v !== 'string') throw invalid('invalid_parameter', field, `参数 ${field} 应为文字`, `${field} must be a string`);
  if (v.length > MAX_TEXT) throw invalid('invalid_parameter', field, `参数 ${field} 过长`, `${field} is too long`);
  return v.trim();
}

function date(action: Action, field: string, now: Date, opts: { optional?: boolean } = {}): Date | null {
  const v = action[field];
  if (v === undefined || v === null || v === '') {
    if (opts.optional) return null;
    throw invalid('missing_parameter', field, `缺少参数：${field}`, `${field} is required`);
  }
  const d = typeof v === 'string' ? new Date(v) : null;
  if (!d || Number.isNaN(d.getTime())) throw invalid('invalid_parameter', field, `参数 ${field} 应为日期时间`, `${field} must be an ISO date-time`);
  if (d.getTime() <= now.getTime()) throw invalid('deadline_in_past', field, '期限必须晚于当前时间', `${field} must be in the future`);
  return d;
}

function oneOf<T extends string>(action: Action, field: string, values: readonly T[], opts: { optional?: boolean } = {}): T | null {
  const v = action[field];
  if (v === undefined || v === null) {
    if (opts.optional) return null;
    throw invalid('missing_parameter', field, `缺少参数：${field}`, `${field} is required`);
  }
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
    throw invalid('invalid_parameter', field, `参数 ${field} 应为：${values.join('/')}`, `${field} must be one of ${values.join(', ')}`);
  }
  return v as T;
}

function idParam(action: Action, field: string): number {
  const v = action[field];
  if (v === undefined || v === null || v === '') throw invalid('missing_parameter', field, `缺少参数：${field}`, `${field} is required`);
  const n = Number(v);
  if ((typeof v !== 'string' && typeof v !== 'number') || !Number.isSafeInteger(n) || n <= 0) {
    throw invalid('invalid_parameter', field, `参数 ${field} 应为编号`, `${field} must be an id`);
  }
  return n;
}

// ---------------------------------------------------------------- apply

function transitionError(event: EventSnapshot, type: ActionType, why: 'state' | 'tier') {
  const zh =
    why === 'state'
      ? `事件当前状态（${event.state}）不能执行“${type}”`
      : `事件当前在${TIER_LABELS[event.tier].zh}，不能执行“${type}”`;
  return conflict('transition_forbidden', zh, `action ${type} is not allowed when the event is ${why === 'state' ? event.state : `at tier ${event.tier}`}`, 'type', {
    state: event.state,
    tier: event.tier,
  });
}

/**
 * Applies one action. Pure: the caller loads `world`, writes the returned event and history
 * entry, and carries out the effects, all in one transaction. Errors are DomainErrors:
 * outside jurisdiction → not_found, stale version / forbidden transition / routing gap →
 * conflict, not entitled → forbidden, bad or missing parameter → invalid.
 */
export function apply(event: EventSnapshot, action: Action, actor: ActingActor, world: World): ApplyResult {
  if (!visible(event, actor)) throw notFound('event', '事件');
  const type = action.type;
  const rule = ACTION_RULES[type as ActionType];
  if (!rule) throw invalid('invalid_parameter', 'type', `未知的操作类型：${String(type)}`, `unknown action type ${String(type)}`);
  if (action.expectedVersion !== undefined && action.expectedVersion !== null && action.expectedVersion !== event.version) {
    throw conflict('stale_version', '事件已被他人更新，请刷新后重试', 'the event has changed since you loaded it', 'expectedVersion', {
      currentVersion: event.version,
    });
  }
  if (!entitled(rule, event, actor)) {
    throw forbidden('您不是该事件的承办人，不能执行此操作', 'only the holder of the event may do this', 'not_holder');
  }
  if (!rule.from.includes(event.state)) throw transitionError(event, type, 'state');
  if (!rule.tiers.includes(event.tier)) throw transitionError(event, type, 'tier');

  const now = world.now;
  const before = event;
  const next: EventSnapshot = { ...event, holder: { ...event.holder }, version: event.version + 1 };
  const effects: Effect[] = [];
  const note = text(action, 'note', { optional: true });
  let historyNote: string | null = note;
  const detail: Record<string, unknown> = {};
  let publicNote: string | null = PUBLIC_NOTES[type] ?? null;

  const moveTo = (holder: Holder) => {
    if (belowOrigin(holder.tier, event.originTier)) {
      // E5: upper-level events never flow down. Routing never produces this; the guard keeps it so.
      throw conflict('below_origin_tier', '上级采集的事件不得流转到下级办理', 'an event may not go below the tier that collected it', 'type');
    }
    next.holder = holder;
    next.tier = holder.tier;
    next.state = 'open';
    next.tierEnteredAt = now;
    next.deadline = deadlineFor(holder.tier, now, world.deadlines);
    effects.push({ kind: 'dwell', end: true, start: true }, { kind: 'notify_holder' });
  };

  switch (type as ActionType) {
    case 'accept':
      next.state = 'in_progress';
      break;

    case 'escalate': {
      const reason = actor.kind === 'system' ? (text(action, 'reason', { optional: true }) ?? '超过办理时限，自动升级') : text(action, 'reason');
      const up = nextTierUp(event.tier);
      if (!up) throw transitionError(event, type, 'tier');
      moveTo(resolveHolder(up, world));
      historyNote = reason;
      detail.reason = reason;
      if (note) detail.note = note;
      break;
    }

    case 'skip_escalate': {
      const target = oneOf(action, 'targetTier', ['county', 'city'] as const)!;
      const reasonCode = oneOf(action, 'reasonCode', SKIP_REASONS)!;
      const reason = text(action, 'reason');
      if (ladderRank(target) <= ladderRank(event.tier)) {
        throw invalid('not_upward', 'targetTier', '提级只能流转到更高一级的市场监管部门', 'targetTier must be above the current tier');
      }
      moveTo(resolveHolder(target, world));
      historyNote = reason;
      Object.assign(detail, { targetTier: target, reasonCode, reasonLabel: SKIP_REASON_LABELS[reasonCode!], reason, hotspot: event.hotspot });
      break;
    }

    case 'transfer': {
      const orgId = idParam(action, 'organizationId');
      const reason = text(action, 'reason');
      const org = world.orgs.find((o) => o.id === orgId && o.type === 'department');
      if (!org || !orgCovers(world, org)) {
        throw invalid('department_not_covering', 'organizationId', '只能转办给管辖该地的其他部门', 'transfer only to a department whose jurisdiction covers the place');
      }
      next.returnTo = { ...event.holder };
      moveTo({ tier: 'department', regionId: org.regionId, organizationId: org.id, userId: null });
      historyNote = reason;
      Object.assign(detail, { organizationId: String(org.id), organizationName: org.name, reason });
      break;
    }

    case 'refer_enforcement': {
      const reason = text(action, 'reason');
      next.returnTo = { ...event.holder };
      const holder = resolveHolder('enforcement', world);
      moveTo(holder);
      historyNote = reason;
      Object.assign(detail, { organizationId: String(holder.organizationId), reason });
      break;
    }

    case 'return': {
      const reason = text(action, 'reason');
      if (!event.returnTo) throw conflict('nowhere_to_return', '找不到转出单位，无法退回', 'nobody to return the event to', 'type');
      moveTo(event.returnTo);
      next.returnTo = null;
      historyNote = reason;
      detail.reason = reason;
      break;
    }

    case 'record_case': {
      const caseNo = text(action, 'caseNo')!;
      const decision = text(action, 'decision')!;
      const penalty = (oneOf(action, 'penalty', PENALTIES, { optional: true }) ?? 'none') as Penalty;
      next.caseNo = caseNo;
      next.caseDecision = decision;
      next.penalty = penalty;
      next.state = 'in_progress';
      Object.assign(detail, { caseNo, decision, penalty });
      if (penalty === 'suspension' || penalty === 'revocation') {
        if (event.businessId) effects.push({ kind: 'business_status', status: penalty === 'suspension' ? 'suspended' : 'revoked' });
      }
      break;
    }

    case 'order_rectification': {
      const deadline = date(action, 'deadline', now)!;
      const requirement = text(action, 'requirement')!;
      next.state = 'rectifying';
      next.rectificationDeadline = deadline;
      next.rectificationRequirement = requirement;
      // The holder verifies when the business's time is up: the event's clock follows the order.
      next.deadline = deadline;
      Object.assign(detail, { deadline: deadline.toISOString(), requirement });
      break;
    }

    case 'submit_rectification': {
      const n = text(action, 'note')!;
      historyNote = n;
      break;
    }

    case 'verify_rectification': {
      const passed = action.passed;
      if (typeof passed !== 'boolean') {
        throw invalid(passed === undefined ? 'missing_parameter' : 'invalid_parameter', 'passed', '缺少参数：passed（是否通过）', 'passed (boolean) is required');
      }
      detail.passed = passed;
      if (passed) {
        next.state = 'in_progress';
        next.deadline = deadlineFor(event.tier, now, world.deadlines);
        publicNote = '整改复查通过';
      } else {
        const deadline = date(action, 'deadline', now)!;
        next.rectificationDeadline = deadline;
        next.deadline = deadline;
        detail.deadline = deadline.toISOString();
        publicNote = '整改复查未通过，已责令重新整改';
      }
      break;
    }

    case 'request_assist': {
      const regionId = idParam(action, 'regionId');
      const n = text(action, 'note')!;
      const region = world.ancestors.find((a) => a.id === regionId);
      if (!region) {
        throw invalid('assist_region_not_on_path', 'regionId', '协助单位所在区域必须包含事件地点', 'the assisting region must contain the place');
      }
      const holderRegion = world.ancestors.find((a) => a.id === event.holder.regionId);
      if (holderRegion && region.path.length <= holderRegion.path.length) {
        throw invalid('assist_not_lower', 'regionId', '只能请下级协助', 'only a lower level may be asked to assist');
      }
      effects.push({ kind: 'create_assist', regionId, note: n });
      historyNote = n;
      Object.assign(detail, { regionId: String(regionId), regionName: region.name });
      break;
    }

    case 'resolve': {
      const result = text(action, 'result')!;
      const allowed = world.selfHandleTiers;
      if (allowed && selfHandleBlocks(event.tier, allowed)) {
        const names = allowed.map((t) => TIER_LABELS[t as Tier]?.zh ?? t).join('、');
        throw conflict('self_handle_not_allowed', `该事项须由${names}办理，请上报`, `this catalogue item may be resolved only at: ${allowed.join(', ')}`, 'type', {
          allowedTiers: allowed,
        });
      }
      next.result = result;
      next.state = 'resolved';
      next.resolvedAt = now;
      detail.result = result;
      break;
    }

    case 'feedback': {
      const fb = text(action, 'feedback')!;
      next.feedback = fb;
      next.feedbackAt = now;
      detail.feedback = fb;
      publicNote = `处理结果反馈：${fb}`;
      effects.push({ kind: 'notify_source', text: fb });
      break;
    }

    case 'close': {
      if (!event.result) throw invalid('missing_result', 'result', '办结前须填写处理结果', 'a result is required before closing');
      if (!event.feedback) throw invalid('missing_feedback', 'feedback', '办结前须向来源反馈处理结果', 'feedback to the source is required before closing');
      next.state = 'closed';
      next.closedAt = now;
      effects.push({ kind: 'dwell', end: true, start: false });
      break;
    }

    case 'reject': {
      const reason = text(action, 'reason')!;
      next.state = 'rejected';
      next.rejectReason = reason;
      next.closedAt = now;
      historyNote = reason;
      detail.reason = reason;
      publicNote = `不予受理：${reason}`;
      effects.push({ kind: 'dwell', end: true, start: false });
      break;
    }

    case 'merge': {
      const into = action.intoEventId;
      if (typeof into !== 'string' || !into) throw invalid('missing_parameter', 'intoEventId', '缺少参数：intoEventId', 'intoEventId is required');
      if (into === event.id) throw invalid('merge_into_self', 'intoEventId', '不能与自身合并', 'an event cannot be merged into itself');
      const target = world.mergeTarget;
      if (!target || target.id !== into) throw notFound('event', '事件', 'intoEventId');
      if (target.state === 'merged' || target.state === 'closed' || target.state === 'rejected') {
        throw conflict('merge_target_final', '只能合并到尚在办理的事件', 'merge only into an event still being handled', 'intoEventId');
      }
      next.state = 'merged';
      next.mergedInto = into;
      next.closedAt = now;
      detail.intoEventId = into;
      effects.push({ kind: 'dwell', end: true, start: false });
      break;
    }

    case 'reopen': {
      const reason = text(action, 'reason')!;
      next.state = 'open';
      next.reopenCount = event.reopenCount + 1;
      next.result = null;
      next.feedback = null;
      next.feedbackAt = null;
      next.rejectReason = null;
      next.resolvedAt = null;
      next.closedAt = null;
      next.tierEnteredAt = now;
      next.deadline = deadlineFor(event.tier, now, world.deadlines);
      historyNote = reason;
      Object.assign(detail, { reason, previousResult: event.result, previousFeedback: event.feedback });
      effects.push({ kind: 'dwell', end: false, start: true }, { kind: 'notify_holder' });
      break;
    }

    case 'comment': {
      historyNote = text(action, 'note')!;
      if (Array.isArray(action.attachments)) detail.attachments = action.attachments.slice(0, 20).map(String);
      publicNote = null;
      break;
    }
  }

  const history: HistoryEntry = {
    type: type as ActionType,
    actorId: actor.kind === 'user' ? actor.id : null,
    actorRole: actor.kind === 'user' ? actor.role : 'system',
    fromState: before.state,
    toState: next.state,
    fromTier: before.tier,
    toTier: next.tier,
    fromHolder: before.holder,
    toHolder: next.holder,
    note: historyNote,
    detail: Object.keys(detail).length ? detail : null,
    publicNote,
  };
  checkInvariants(next);
  return { event: next, history, effects };
}

/** The invariants every reachable event satisfies (also asserted by the property tests). */
export function checkInvariants(e: EventSnapshot): void {
  const broken = (what: string) => new DomainError('conflict', 'invariant_broken', `事件数据不一致：${what}`, `event invariant broken: ${what}`);
  if (belowOrigin(e.tier, e.originTier)) throw broken('holder below origin tier');
  if (e.state === 'closed' && (!e.result || !e.feedback)) throw broken('closed without result and feedback');
  if (e.state === 'merged' && !e.mergedInto) throw broken('merged without target');
  if (e.holder.tier !== e.tier) throw broken('holder tier differs from tier');
}
