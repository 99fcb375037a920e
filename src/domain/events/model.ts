import type { Role, OrgType } from '../roles.js';
import type { DeadlineSettings } from '../deadlines.js';

/**
 * The vocabulary of the event closed loop (SPEC §5, API.md "Events"). Everything here is data:
 * the state machine in `machine.ts` and the routing in `routing.ts` are driven by these lists.
 */

export const EVENT_STATES = ['open', 'in_progress', 'rectifying', 'resolved', 'closed', 'rejected', 'merged'] as const;
export type EventState = (typeof EVENT_STATES)[number];

/** States in which somebody still has to work on the event (deadlines and overdue apply). */
export const ACTIVE_STATES: readonly EventState[] = ['open', 'in_progress', 'rectifying'];
/** States that are an end of handling (history may still grow: comments, reopen). */
export const FINAL_STATES: readonly EventState[] = ['closed', 'rejected', 'merged'];

export const TIERS = ['grid', 'grid_leader', 'village', 'station', 'county', 'city', 'department', 'enforcement', 'cadre'] as const;
export type Tier = (typeof TIERS)[number];

/** E3: the escalation ladder, bottom up. department / enforcement / cadre stand beside it. */
export const LADDER: readonly Tier[] = ['grid', 'grid_leader', 'village', 'station', 'county', 'city'];
/** E4: market-supervision tiers between which skip-level escalation is allowed. */
export const MARKET_SUPERVISION_TIERS: readonly Tier[] = ['station', 'county', 'city'];

export const TIER_LABELS: Record<Tier, { zh: string; en: string }> = {
  grid: { zh: '单元长/网格员', en: 'Unit leader / grid member' },
  grid_leader: { zh: '网格长', en: 'Grid leader' },
  village: { zh: '村（社区）平台中心', en: 'Village platform centre' },
  station: { zh: '市场监管所', en: 'Market-supervision station' },
  county: { zh: '县级市场监管部门', en: 'County bureau' },
  city: { zh: '市级市场监管部门', en: 'City bureau' },
  department: { zh: '其他部门', en: 'Other department' },
  enforcement: { zh: '执法大队', en: 'Enforcement brigade' },
  cadre: { zh: '包保干部', en: 'Responsible cadre' },
};

/** Roles that work an event held by a tier (when the holder is a region or organisation, not one person). */
export const TIER_ROLES: Record<Tier, readonly Role[]> = {
  grid: ['unit_leader', 'grid_member'],
  grid_leader: ['grid_leader'],
  village: ['village_coordinator'],
  station: ['station_staff'],
  county: ['bureau_staff'],
  city: ['bureau_staff'],
  department: ['department_staff'],
  enforcement: ['enforcement_officer'],
  cadre: ['cadre'],
};

export const CHANNELS = ['grid_patrol', 'department_patrol', 'public_report', 'self_inspection', 'supervision', 'external'] as const;
export type Channel = (typeof CHANNELS)[number];

export const ACTION_TYPES = [
  'accept',
  'escalate',
  'skip_escalate',
  'transfer',
  'return',
  'refer_enforcement',
  'record_case',
  'order_rectification',
  'submit_rectification',
  'verify_rectification',
  'request_assist',
  'resolve',
  'feedback',
  'close',
  'reject',
  'merge',
  'reopen',
  'comment',
] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export const PENALTIES = ['none', 'warning', 'fine', 'suspension', 'revocation'] as const;
export type Penalty = (typeof PENALTIES)[number];

/** E4: the four reasons of S0 §四(二). */
export const SKIP_REASONS = ['hotspot', 'major', 'difficult', 'other'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];
export const SKIP_REASON_LABELS: Record<SkipReason, string> = {
  hotspot: '舆情热点、焦点，涉及区域广，需上级统一部署',
  major: '问题重大，需上级领导、组织解决',
  difficult: '处置难，需上级研究、协调解决',
  other: '其他需上级直接处置的情形',
};

/** Who holds the event now. A person (userId), an organisation, or a region with a tier's roles. */
export interface Holder {
  tier: Tier;
  regionId: number | null;
  organizationId: number | null;
  userId: string | null;
}

/** The part of an event the state machine reads and writes. */
export interface EventSnapshot {
  id: string;
  channel: Channel;
  state: EventState;
  tier: Tier;
  originTier: Tier;
  holder: Holder;
  version: number;
  /** The place: path of the business's unit or of the reported region. */
  regionPath: string;
  businessId: string | null;
  collectorId: string | null;
  deadline: Date | null;
  tierEnteredAt: Date;
  rectificationDeadline: Date | null;
  rectificationRequirement: string | null;
  result: string | null;
  feedback: string | null;
  feedbackAt: Date | null;
  rejectReason: string | null;
  caseNo: string | null;
  caseDecision: string | null;
  penalty: Penalty | null;
  mergedInto: string | null;
  hotspot: boolean;
  reopenCount: number;
  resolvedAt: Date | null;
  closedAt: Date | null;
  /** E6/E7: where `return` sends the event (the holder that transferred or referred it). */
  returnTo: Holder | null;
}

/** The caller as the state machine sees it: a user, or the system (deadline jobs). */
export type ActingActor =
  | {
      kind: 'user';
      id: string;
      role: Role;
      regionId: number | null;
      organizationId: number | null;
      organizationType: string | null;
      scope: readonly string[];
      /** Role business: the business the account speaks for (E8 rectification feedback). */
      businessId?: string | null;
    }
  | { kind: 'system' };

export interface RegionInfo {
  id: number;
  level: string;
  name: string;
  path: string;
}

export interface OrgInfo {
  id: number;
  type: OrgType;
  name: string;
  regionId: number;
  jurisdictionPaths: string[];
}

export interface HandlerUser {
  id: string;
  role: Role;
  regionId: number | null;
  organizationId: number | null;
}

/**
 * What routing needs to know about the place, loaded by the caller before `apply`:
 * the ancestors of the place (root first, the place last), the organisations whose jurisdiction
 * covers the place, and the people who handle region-held tiers (grid leaders, village
 * coordinators) in those ancestors.
 */
export interface RoutingWorld {
  ancestors: RegionInfo[];
  orgs: OrgInfo[];
  handlers: HandlerUser[];
}

export interface World extends RoutingWorld {
  now: Date;
  deadlines: DeadlineSettings;
  /** For `merge`: the event to merge into, already checked to be in the caller's jurisdiction. */
  mergeTarget?: { id: string; state: EventState } | null;
  /**
   * E11: the tiers the event's catalogue item allows to self-handle (自行办结), when the item
   * restricts it. Elsewhere `resolve` is refused and the holder must pass the event up.
   */
  selfHandleTiers?: readonly string[] | null;
}

export interface Action {
  type: ActionType;
  expectedVersion?: number;
  note?: string | null;
  [param: string]: unknown;
}

export interface HistoryEntry {
  type: ActionType | 'create' | 'duplicate_linked' | 'hotspot' | 'assist_done';
  actorId: string | null;
  actorRole: string | null;
  fromState: EventState | null;
  toState: EventState;
  fromTier: Tier | null;
  toTier: Tier;
  fromHolder: Holder | null;
  toHolder: Holder;
  note: string | null;
  detail: Record<string, unknown> | null;
  publicNote: string | null;
}

export type Effect =
  /** Tell the (new) holder: in-app notification to its people. */
  | { kind: 'notify_holder' }
  /** E9: feedback goes back to the source (collector or public reporter). */
  | { kind: 'notify_source'; text: string }
  /** E5: a lower level is asked to assist. */
  | { kind: 'create_assist'; regionId: number; note: string }
  /** E7: suspension / revocation changes the business's status and tells its cadre(s) and station. */
  | { kind: 'business_status'; status: 'suspended' | 'revoked' }
  /** E10/E14 time per tier: leave the current stay, start a new one, or both. */
  | { kind: 'dwell'; end: boolean; start: boolean };

export interface ApplyResult {
  event: EventSnapshot;
  history: HistoryEntry;
  effects: Effect[];
}
