import { v7 as uuidv7 } from 'uuid';
import { DEFAULT_DEADLINE_SETTINGS, deadlineFor, type DeadlineSettings } from '../../domain/deadlines.js';
import {
  apply,
  initialRouting,
  type Action,
  type ActingActor,
  type Channel,
  type EventSnapshot,
  type EventState,
  type HistoryEntry,
  type Holder,
  type OrgInfo,
  type Penalty,
  type RoutingWorld,
  type Tier,
  TIER_ROLES,
} from '../../domain/events/index.js';
import type { OrgType, Role } from '../../domain/roles.js';
import { Rng } from './random.js';
import type { DemoOrg, DemoRegion, DemoUser, DemoWorld } from './world.js';

/**
 * H5: months of events in every state and channel. Each event is played through the real state
 * machine (`domain/events`: initialRouting + apply) on a simulated clock, so its rows — state,
 * tier, holder, version, contiguous history, tier dwell — are exactly what the product would have
 * written; the loader then bulk-inserts them. Events whose next step lies in the future stay
 * where they are (open, in progress, rectifying), and a few are left to run overdue.
 */

export interface CatalogueItem {
  code: string;
  name: string;
  self_handle_tiers: string[];
  business_types: string[];
}

export interface DemoEventRow {
  id: string;
  channel: Channel;
  title: string;
  description: string;
  category_code: string | null;
  business_id: string | null;
  region_id: number;
  region_path: string;
  lat: number | null;
  lng: number | null;
  state: EventState;
  tier: Tier;
  origin_tier: Tier;
  holder_region_id: number | null;
  holder_path: string | null;
  holder_org_id: number | null;
  holder_user_id: string | null;
  collector_id: string | null;
  collector_org_id: number | null;
  version: number;
  tier_entered_at: Date;
  deadline: Date | null;
  rectification_deadline: Date | null;
  rectification_requirement: string | null;
  result: string | null;
  feedback: string | null;
  feedback_at: Date | null;
  reject_reason: string | null;
  case_no: string | null;
  case_decision: string | null;
  penalty: Penalty | null;
  merged_into: string | null;
  tracking_code: string | null;
  reporter_phone: string | null;
  reporter_anonymous: boolean;
  rating: number | null;
  rating_comment: string | null;
  reopen_count: number;
  return_to: Holder | null;
  created_at: Date;
  updated_at: Date;
  resolved_at: Date | null;
  closed_at: Date | null;
}

export interface DemoHistoryRow extends HistoryEntry {
  event_id: string;
  seq: number;
  at: Date;
}

export interface DemoDwellRow {
  event_id: string;
  tier: string;
  region_id: number | null;
  entered_at: Date;
  left_at: Date | null;
}

export interface DemoNotification {
  id: string;
  user_id: string;
  kind: string;
  title: string;
  body: string | null;
  event_id: string;
  link: string;
  read_at: Date | null;
  created_at: Date;
}

export interface DemoEvents {
  events: DemoEventRow[];
  /** X3 inbox: the current holders' 待办 notices and recent feedback to collectors. */
  notifications: DemoNotification[];
  history: DemoHistoryRow[];
  dwell: DemoDwellRow[];
  /** Businesses whose status a case decision changed (suspension / revocation). */
  businessStatus: Map<string, 'suspended' | 'revoked'>;
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const TRACKING_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

const CHANNEL_WEIGHTS: Record<Channel, number> = {
  grid_patrol: 46,
  public_report: 20,
  department_patrol: 16,
  supervision: 8,
  self_inspection: 6,
  external: 4,
};

const RESULTS = [
  '已现场督促经营者整改，复查整改到位。',
  '经营者已按要求完成整改，现场拍照留存。',
  '已责令立即改正，经营者当场整改完毕。',
  '问题已处理，经营者签署整改承诺书。',
  '已下架相关食品并登记销毁，督促完善进货查验记录。',
];
const FEEDBACKS = [
  '您反映的问题已核实处理，感谢您对食品安全工作的支持。',
  '经核查问题属实，已责令整改到位。',
  '已将处理结果反馈采集人。',
  '经营者已整改完毕，处理结果已通报网格。',
];
const ESCALATE_REASONS = ['经营者拒不整改，需上级协调处置', '超出本级处置权限，请上级处理', '涉及证照问题，需市场监管所核查', '问题较复杂，需上级部门研究处理'];
const REJECT_REASONS = ['经现场核实，反映情况不属实', '反映的问题不属于食品安全监管范畴，已告知向相关部门反映', '举报地址不详，多次联系举报人未果'];
const REQUIREMENTS = ['限期完善进货查验记录并提交台账照片', '限期办理从业人员健康证明', '限期整改后厨卫生并配齐三防设施', '限期更换过期许可证并亮证经营'];
const DESCRIPTIONS: Record<Channel, (biz: string, item: string) => string> = {
  grid_patrol: (b, i) => `网格巡查时发现${b}存在“${i}”问题，已拍照取证。`,
  department_patrol: (b, i) => `下沉一线监督检查发现${b}${i}，现场已告知经营者。`,
  public_report: (b, i) => `群众反映：${b}${i}，希望有关部门尽快处理。`,
  self_inspection: (b, i) => `${b}自查发现：${i}，已着手整改。`,
  supervision: (b, i) => `包保督导时发现${b}${i}，需督促整改。`,
  external: (b, i) => `12315平台转来：消费者反映${b}${i}。`,
};
const DEPT_FOR_CATEGORY: Record<string, string> = { SCH: 'education', MKT: 'urban_management', INV: 'agriculture', PPL: 'health' };

interface Indexes {
  regionsById: Map<number, DemoRegion>;
  orgsById: Map<number, DemoOrg>;
  orgInfo: OrgInfo[];
  /** Organisations by the region ids of their jurisdiction: the covering ones are found along the place's path. */
  orgsByJurisdiction: Map<number, OrgInfo[]>;
  usersByRegionRole: Map<string, DemoUser[]>;
  usersByOrg: Map<number, DemoUser[]>;
  usersById: Map<string, DemoUser>;
  bizUser: Map<number, DemoUser>;
}

function indexWorld(w: DemoWorld): Indexes {
  const regionsById = new Map(w.regions.map((r) => [r.id, r]));
  const orgsById = new Map(w.organizations.map((o) => [o.id, o]));
  const paths = new Map<number, string[]>();
  for (const j of w.jurisdictions) {
    const list = paths.get(j.organization_id) ?? [];
    list.push(regionsById.get(j.region_id)!.path);
    paths.set(j.organization_id, list);
  }
  const orgInfo: OrgInfo[] = w.organizations.map((o) => ({
    id: o.id,
    type: o.type as OrgType,
    name: o.name,
    regionId: o.region_id,
    jurisdictionPaths: paths.get(o.id) ?? [],
  }));
  const orgsByJurisdiction = new Map<number, OrgInfo[]>();
  const infoById = new Map(orgInfo.map((o) => [o.id, o]));
  for (const j of w.jurisdictions) (orgsByJurisdiction.get(j.region_id) ?? orgsByJurisdiction.set(j.region_id, []).get(j.region_id)!).push(infoById.get(j.organization_id)!);
  const usersByRegionRole = new Map<string, DemoUser[]>();
  const usersByOrg = new Map<number, DemoUser[]>();
  const bizUser = new Map<number, DemoUser>();
  for (const u of w.users) {
    const k = `${u.region_id}:${u.role}`;
    (usersByRegionRole.get(k) ?? usersByRegionRole.set(k, []).get(k)!).push(u);
    if (u.organization_id != null) (usersByOrg.get(u.organization_id) ?? usersByOrg.set(u.organization_id, []).get(u.organization_id)!).push(u);
  }
  return { regionsById, orgsById, orgInfo, orgsByJurisdiction, usersByRegionRole, usersByOrg, usersById: new Map(w.users.map((u) => [u.id, u])), bizUser };
}

function routingWorld(ix: Indexes, placePath: string): RoutingWorld {
  const ids = placePath.split('/').filter(Boolean).map(Number);
  const ancestors = ids.map((id) => {
    const r = ix.regionsById.get(id)!;
    return { id: r.id, level: r.level, name: r.name, path: r.path };
  });
  const orgs = [...new Set(ids.flatMap((id) => ix.orgsByJurisdiction.get(id) ?? []))];
  const handlers = ids.flatMap((id) =>
    (['grid_leader', 'village_coordinator'] as Role[]).flatMap((role) =>
      (ix.usersByRegionRole.get(`${id}:${role}`) ?? []).map((u) => ({ id: u.id, role: u.role, regionId: u.region_id, organizationId: u.organization_id })),
    ),
  );
  return { ancestors, orgs, handlers };
}

function acting(ix: Indexes, u: DemoUser): ActingActor {
  const org = u.organization_id != null ? ix.orgsById.get(u.organization_id) : undefined;
  return { kind: 'user', id: u.id, role: u.role, regionId: u.region_id, organizationId: u.organization_id, organizationType: org?.type ?? null, scope: [] };
}

/** A person who may act for the current holder (the holder itself, a member of the holding organisation, or the region's handler). */
function holderPerson(ix: Indexes, h: Holder, rng: Rng): DemoUser {
  if (h.userId) return ix.usersById.get(h.userId)!;
  if (h.organizationId != null) {
    const staff = ix.usersByOrg.get(h.organizationId);
    if (staff?.length) return rng.pick(staff);
  }
  for (const role of TIER_ROLES[h.tier]) {
    const list = ix.usersByRegionRole.get(`${h.regionId}:${role}`);
    if (list?.length) return rng.pick(list);
  }
  throw new Error(`demo events: nobody can act for holder ${JSON.stringify(h)}`);
}

export function buildDemoEvents(
  w: DemoWorld,
  opts: { today: Date; catalogue: CatalogueItem[]; count?: number; days?: number; seed?: number; deadlines?: DeadlineSettings },
): DemoEvents {
  const rng = new Rng(opts.seed ?? 1149);
  const ix = indexWorld(w);
  const deadlines = opts.deadlines ?? DEFAULT_DEADLINE_SETTINGS;
  const now = opts.today.getTime();
  const days = opts.days ?? 180;
  const count = opts.count ?? 6000;
  const out: DemoEvents = { events: [], notifications: [], history: [], dwell: [], businessStatus: new Map() };
  for (const u of w.users) if (u.role === 'business' && u.region_id != null) ix.bizUser.set(u.region_id, u);
  const accountOf = new Map<string, DemoUser>();
  for (const b of w.businesses) {
    const u = ix.bizUser.get(b.region_id);
    if (u && u.display_name === b.name) accountOf.set(b.id, u);
  }
  const items = opts.catalogue.length ? opts.catalogue : [{ code: '', name: '食品安全问题', self_handle_tiers: [], business_types: [] }];
  const operating = w.businesses.filter((b) => b.status === 'operating');
  const itemsByType = new Map(w.businesses.map((b) => [b.type, items.filter((i) => !i.business_types.length || i.business_types.includes(b.type))]));
  /** State of each generated event over time, for merges into it. */
  const timelines = new Map<string, { at: number; state: EventState }[]>();
  let caseSerial = 0;

  // Creation times: spread over the period, more in recent months (the platform's use grows).
  const times = Array.from({ length: count }, () => now - Math.pow(rng.next(), 1.3) * days * DAY).sort((a, b) => a - b);

  for (let n = 0; n < count; n++) {
    const channel = rng.weighted(CHANNEL_WEIGHTS);
    const biz = channel === 'self_inspection' && rng.chance(0.3) ? undefined : rng.pick(operating);
    const business = biz ?? rng.pick(operating);
    const applicable = itemsByType.get(business.type)!;
    const item = rng.pick(applicable.length ? applicable : items);
    const placePath = business.region_path;
    const world = routingWorld(ix, placePath);
    const unit = ix.regionsById.get(business.region_id)!;
    const grid = ix.regionsById.get(unit.parent_id!)!;
    const village = ix.regionsById.get(grid.parent_id!)!;

    // The collector, by channel (E1).
    let collector: DemoUser | null = null;
    switch (channel) {
      case 'grid_patrol': {
        const x = rng.next();
        collector =
          x < 0.6
            ? ix.usersByRegionRole.get(`${unit.id}:unit_leader`)![0]
            : x < 0.9
              ? ix.usersByRegionRole.get(`${grid.id}:grid_member`)![0]
              : ix.usersByRegionRole.get(`${grid.id}:grid_leader`)![0];
        break;
      }
      case 'department_patrol': {
        const station = world.orgs.find((o) => o.type === 'station')!;
        const bureau = [...world.orgs].filter((o) => o.type === 'county_bureau').sort((a, b) => b.jurisdictionPaths[0].length - a.jurisdictionPaths[0].length)[0];
        const city = world.orgs.find((o) => o.type === 'city_bureau')!;
        const org = rng.weighted({ s: 75, c: 20, m: 5 }) === 's' ? station : rng.chance(0.8) ? bureau : city;
        collector = rng.pick(ix.usersByOrg.get(org.id)!.filter((u) => u.role === 'station_staff' || u.role === 'bureau_staff'));
        break;
      }
      case 'self_inspection': {
        const station = world.orgs.find((o) => o.type === 'station')!;
        collector = accountOf.get(business.id) ?? rng.pick(ix.usersByOrg.get(station.id)!);
        break;
      }
      case 'supervision':
        collector = ix.usersByRegionRole.get(`${village.id}:cadre`)![0];
        break;
      case 'external': {
        const station = world.orgs.find((o) => o.type === 'station')!;
        collector = rng.pick(ix.usersByOrg.get(station.id)!);
        break;
      }
      case 'public_report':
        collector = null;
    }
    const collectorOrg = collector?.organization_id != null ? ix.orgsById.get(collector.organization_id) : undefined;
    const route = initialRouting(
      channel,
      collector ? { id: collector.id, role: collector.role, regionId: collector.region_id, organizationId: collector.organization_id, organizationType: collectorOrg?.type ?? null } : null,
      world,
    );

    const created = new Date(Math.floor(times[n]));
    const id = uuidv7({ msecs: created.getTime(), random: rng.bytes(16) });
    const shortBiz = business.name.replace(/^(莆田市(城厢区|涵江区|荔城区|秀屿区)?|仙游县)/, '');
    let ev: EventSnapshot = {
      id,
      channel,
      state: 'open',
      tier: route.tier,
      originTier: route.originTier,
      holder: route.holder,
      version: 1,
      regionPath: placePath,
      businessId: business.id,
      collectorId: collector?.id ?? null,
      deadline: deadlineFor(route.tier, created, deadlines),
      tierEnteredAt: created,
      rectificationDeadline: null,
      rectificationRequirement: null,
      result: null,
      feedback: null,
      feedbackAt: null,
      rejectReason: null,
      caseNo: null,
      caseDecision: null,
      penalty: null,
      mergedInto: null,
      hotspot: false,
      reopenCount: 0,
      resolvedAt: null,
      closedAt: null,
      returnTo: null,
    };
    const history: DemoHistoryRow[] = [
      {
        event_id: id,
        seq: 1,
        at: created,
        type: 'create',
        actorId: collector?.id ?? null,
        actorRole: collector?.role ?? 'public',
        fromState: null,
        toState: 'open',
        fromTier: null,
        toTier: route.tier,
        fromHolder: null,
        toHolder: route.holder,
        note: route.note,
        detail: null,
        publicNote: '已收到，正在分派办理',
      },
    ];
    const dwell: DemoDwellRow[] = [{ event_id: id, tier: route.tier, region_id: route.holder.regionId, entered_at: created, left_at: null }];
    const timeline = [{ at: created.getTime(), state: 'open' as EventState }];
    timelines.set(id, timeline);
    let clock = created.getTime();
    // A few events are left where they are long before now: the overdue ones dashboards show.
    const stallAfter = rng.chance(0.05) ? rng.int(0, 3) : Infinity;
    let steps = 0;
    let stopped = false;

    /** Takes one action at `clock + delay` as the current holder (or `by`); false when it would be in the future. */
    const act = (delayMs: number, action: Action, by?: DemoUser, extra: Partial<{ mergeTarget: { id: string; state: EventState } }> = {}): boolean => {
      if (stopped) return false;
      const at = clock + Math.max(60_000, Math.round(delayMs));
      if (at > now || steps >= stallAfter) {
        stopped = true;
        return false;
      }
      const person = by ?? holderPerson(ix, ev.holder, rng);
      const r = apply(ev, action, acting(ix, person), {
        ...world,
        now: new Date(at),
        deadlines,
        mergeTarget: extra.mergeTarget ?? null,
        selfHandleTiers: item.self_handle_tiers.length ? item.self_handle_tiers : null,
      });
      for (const e of r.effects) {
        if (e.kind === 'dwell') {
          if (e.end) for (const d of dwell) if (d.left_at === null) d.left_at = new Date(at);
          if (e.start) dwell.push({ event_id: id, tier: r.event.tier, region_id: r.event.holder.regionId, entered_at: new Date(at), left_at: null });
        } else if (e.kind === 'business_status') out.businessStatus.set(business.id, e.status);
      }
      ev = r.event;
      clock = at;
      steps++;
      history.push({ ...r.history, event_id: id, seq: history.length + 1, at: new Date(at) });
      timeline.push({ at, state: ev.state });
      return true;
    };
    const canSelfHandle = () => !item.self_handle_tiers.length || item.self_handle_tiers.includes(ev.tier);
    const finish = () => {
      act(rng.logUniform(2 * HOUR, 5 * DAY), { type: 'resolve', result: rng.pick(RESULTS) }) &&
        act(rng.logUniform(HOUR, DAY), { type: 'feedback', feedback: rng.pick(FEEDBACKS) }) &&
        act(rng.logUniform(HOUR, 2 * DAY), { type: 'close' });
    };

    // E12: a second public report on the same business within the hour is merged into the first.
    const prev = out.events[out.events.length - 1];
    if (channel === 'public_report' && prev && prev.channel === 'public_report' && rng.chance(0.15)) {
      const target = timelines.get(prev.id)!;
      const stateAt = (t: number) => [...target].reverse().find((s) => s.at <= t)?.state ?? 'open';
      const t = clock + 30 * 60_000;
      const st = stateAt(t);
      if (t <= now && (st === 'open' || st === 'in_progress')) {
        act(30 * 60_000, { type: 'merge', intoEventId: prev.id, note: '同一问题的重复举报' }, undefined, { mergeTarget: { id: prev.id, state: st } });
      }
    }

    if (ev.state === 'open') {
      act(rng.logUniform(0.5 * HOUR, 20 * HOUR), { type: 'accept' });
      const x = rng.next();
      if (channel === 'public_report' && x < 0.08) {
        act(rng.logUniform(HOUR, 2 * DAY), { type: 'reject', reason: rng.pick(REJECT_REASONS) }) &&
          act(rng.logUniform(HOUR, DAY), { type: 'feedback', feedback: '经核实，您反映的情况不属实，感谢您的监督。' });
      } else {
        // Escalate (E3) until a tier that may handle this catalogue item, sometimes one more.
        let guard = 0;
        while (!stopped && guard++ < 6 && (!canSelfHandle() || (ev.tier !== 'station' && ev.tier !== 'county' && rng.chance(0.12))) && ev.tier !== 'city') {
          if (ev.tier === 'station' && rng.chance(0.1)) {
            act(rng.logUniform(2 * HOUR, 2 * DAY), {
              type: 'skip_escalate',
              targetTier: 'city',
              reasonCode: rng.pick(['hotspot', 'major', 'difficult'] as const),
              reason: '问题重大、涉及面广，需市局统一部署',
            });
          } else {
            act(rng.logUniform(2 * HOUR, 2 * DAY), { type: 'escalate', reason: rng.pick(ESCALATE_REASONS) });
          }
          act(rng.logUniform(0.5 * HOUR, DAY), { type: 'accept' });
        }
        const y = rng.next();
        const market = ev.tier === 'station' || ev.tier === 'county' || ev.tier === 'city';
        if (market && y < 0.12) {
          // E7: a case clue goes to the brigade covering the place.
          if (act(rng.logUniform(2 * HOUR, 2 * DAY), { type: 'refer_enforcement', reason: '涉嫌违法经营，移交执法大队查处' })) {
            act(rng.logUniform(HOUR, DAY), { type: 'accept' });
            const penalty = rng.weighted({ warning: 40, fine: 45, none: 10, suspension: 5 }) as Penalty;
            const brigade = ix.orgsById.get(ev.holder.organizationId!)!;
            const prefix = brigade.name.startsWith('仙游县') ? '仙市监罚' : '莆市监罚';
            act(rng.logUniform(3 * DAY, 20 * DAY), {
              type: 'record_case',
              caseNo: `${prefix}〔${new Date(clock).getUTCFullYear()}〕${String(++caseSerial).padStart(3, '0')}号`,
              decision: penalty === 'fine' ? `罚款人民币${rng.pick([2000, 5000, 10000, 20000])}元` : penalty === 'warning' ? '警告，责令改正' : penalty === 'suspension' ? '责令停产停业' : '不予行政处罚，责令改正',
              penalty,
            });
            // The item's self-handle tiers are market-supervision ones: the brigade returns the
            // event with its decision to the referring holder, who closes the loop (E7).
            act(rng.logUniform(HOUR, 2 * DAY), { type: 'return', reason: '案件已查处，退回原承办单位跟踪整改' }) &&
              act(rng.logUniform(HOUR, DAY), { type: 'accept' });
            finish();
          }
        } else if (market && y < 0.2) {
          // E6: transfer to the department whose remit it is.
          const kind = DEPT_FOR_CATEGORY[item.code.slice(0, 3)] ?? rng.pick(['education', 'agriculture', 'urban_management', 'health']);
          const dept = world.orgs.find((o) => o.type === 'department' && ix.orgsById.get(o.id)!.department_kind === kind);
          if (dept && act(rng.logUniform(2 * HOUR, 2 * DAY), { type: 'transfer', organizationId: dept.id, reason: '属其他部门职责，转请依职责处理' })) {
            act(rng.logUniform(HOUR, 2 * DAY), { type: 'accept' }) &&
              act(rng.logUniform(DAY, 5 * DAY), { type: 'return', reason: '已依职责处理，退回市场监管部门办结' }) &&
              act(rng.logUniform(HOUR, DAY), { type: 'accept' });
            finish();
          }
        } else if (y < 0.45) {
          // Rectification with a deadline, the business's feedback and the holder's check.
          const deadline = new Date(clock + rng.int(3, 10) * DAY);
          if (act(rng.logUniform(HOUR, DAY), { type: 'order_rectification', deadline: deadline.toISOString(), requirement: rng.pick(REQUIREMENTS) })) {
            act(rng.logUniform(DAY, Math.max(DAY + 1, deadline.getTime() - clock)), { type: 'submit_rectification', note: '经营者提交整改报告及整改后照片' }) &&
              act(rng.logUniform(2 * HOUR, 2 * DAY), { type: 'verify_rectification', passed: true });
            finish();
          }
        } else {
          if (rng.chance(0.1)) act(rng.logUniform(HOUR, DAY), { type: 'comment', note: '已电话联系经营者，约定上门复查时间' });
          finish();
        }
        // E9: some closed public reports are reopened by an unsatisfied reporter's request.
        if ((ev.state as EventState) === 'closed' && channel === 'public_report' && rng.chance(0.04)) {
          if (act(rng.logUniform(DAY, 5 * DAY), { type: 'reopen', reason: '举报人反映问题仍未解决' })) {
            act(rng.logUniform(HOUR, DAY), { type: 'accept' });
            finish();
          }
        }
      }
    }

    const holderRegion = ev.holder.regionId != null ? ix.regionsById.get(ev.holder.regionId) : undefined;
    const isPublic = channel === 'public_report';
    const anonymous = isPublic && rng.chance(0.4);
    let tracking: string | null = null;
    if (isPublic) {
      tracking = '';
      for (let i = 0; i < 10; i++) tracking += TRACKING_ALPHABET[rng.int(0, TRACKING_ALPHABET.length - 1)];
    }
    const rated = isPublic && ev.state === 'closed' && rng.chance(0.6);
    const rating = rated ? rng.weighted({ '5': 55, '4': 25, '3': 10, '2': 6, '1': 4 }) : null;
    out.events.push({
      id,
      channel,
      title: `${shortBiz}${item.name}`.slice(0, 120),
      description: DESCRIPTIONS[channel](shortBiz, item.name),
      category_code: item.code || null,
      business_id: business.id,
      region_id: business.region_id,
      region_path: placePath,
      lat: business.lat,
      lng: business.lng,
      state: ev.state,
      tier: ev.tier,
      origin_tier: ev.originTier,
      holder_region_id: ev.holder.regionId,
      holder_path: holderRegion?.path ?? null,
      holder_org_id: ev.holder.organizationId,
      holder_user_id: ev.holder.userId,
      collector_id: collector?.id ?? null,
      collector_org_id: collector?.organization_id ?? null,
      version: ev.version,
      tier_entered_at: ev.tierEnteredAt,
      deadline: ev.deadline,
      rectification_deadline: ev.rectificationDeadline,
      rectification_requirement: ev.rectificationRequirement,
      result: ev.result,
      feedback: ev.feedback,
      feedback_at: ev.feedbackAt,
      reject_reason: ev.rejectReason,
      case_no: ev.caseNo,
      case_decision: ev.caseDecision,
      penalty: ev.penalty,
      merged_into: ev.mergedInto,
      tracking_code: tracking,
      reporter_phone: isPublic && !anonymous ? `1${rng.pick(['35', '38', '50', '59', '77', '88'])}${String(rng.int(0, 99_999_999)).padStart(8, '0')}` : null,
      reporter_anonymous: anonymous,
      rating: rating ? Number(rating) : null,
      rating_comment: rating ? (Number(rating) >= 4 ? '处理及时，满意' : '处理较慢') : null,
      reopen_count: ev.reopenCount,
      return_to: ev.returnTo,
      created_at: created,
      updated_at: new Date(clock),
      resolved_at: ev.resolvedAt,
      closed_at: ev.closedAt,
    });
    out.history.push(...history);
    out.dwell.push(...dwell);

    // The inbox as the product leaves it: whoever holds a live event was told when it arrived;
    // collectors were told the result of recently closed ones. Older notices have been read.
    const notice = (userId: string, kind: string, title: string, body: string | null, at: Date) =>
      out.notifications.push({
        id: uuidv7({ msecs: at.getTime(), random: rng.bytes(16) }),
        user_id: userId,
        kind,
        title,
        body,
        event_id: id,
        link: `/events/${id}`,
        read_at: now - at.getTime() > 3 * DAY ? new Date(at.getTime() + rng.int(10, 600) * 60_000) : null,
        created_at: at,
      });
    const title = out.events[out.events.length - 1].title;
    if (ev.state === 'open' || ev.state === 'in_progress' || ev.state === 'rectifying') {
      const h = ev.holder;
      const people = h.userId
        ? [ix.usersById.get(h.userId)!]
        : [
            ...(h.organizationId != null ? (ix.usersByOrg.get(h.organizationId) ?? []) : []),
            ...(h.regionId != null ? TIER_ROLES[h.tier].flatMap((role) => ix.usersByRegionRole.get(`${h.regionId}:${role}`) ?? []) : []),
          ];
      // As the product does: on arrival, everyone of the holder but the person who reported it.
      const moved = dwell.length > 1;
      for (const u of new Set(people)) if (moved || u.id !== collector?.id) notice(u.id, 'event_assigned', `${moved ? '待办' : '新事件'}：${title}`, null, ev.tierEnteredAt);
    } else if (ev.state === 'closed' && collector && ev.feedbackAt && now - ev.feedbackAt.getTime() < 30 * DAY) {
      notice(collector.id, 'event_feedback', `处理结果反馈：${title}`, ev.feedback, ev.feedbackAt);
    }
  }
  return out;
}
