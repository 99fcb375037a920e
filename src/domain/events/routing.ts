import { conflict, invalid } from '../errors.js';
import type { Channel, HandlerUser, Holder, OrgInfo, RegionInfo, RoutingWorld, Tier } from './model.js';
import { LADDER, TIER_LABELS } from './model.js';
import type { OrgType, Role } from '../roles.js';

/**
 * E2–E7 routing as pure functions of the place's region path and the organisations'
 * jurisdictions. A missing handler is an error that names the gap (E3), never a silent drop.
 */

export function ladderRank(tier: Tier): number {
  return LADDER.indexOf(tier);
}

/** E5: a ladder tier below the origin tier may never hold the event. Side tiers are exempt. */
export function belowOrigin(tier: Tier, originTier: Tier): boolean {
  const t = ladderRank(tier);
  const o = ladderRank(originTier);
  return t >= 0 && o >= 0 && t < o;
}

/** E3: the next tier up. A cadre notifies the station (S3 §三(二)). */
export function nextTierUp(tier: Tier): Tier | null {
  if (tier === 'cadre') return 'station';
  const i = LADDER.indexOf(tier);
  if (i < 0 || i === LADDER.length - 1) return null;
  return LADDER[i + 1];
}

function placeOf(world: RoutingWorld): RegionInfo {
  const p = world.ancestors[world.ancestors.length - 1];
  if (!p) throw invalid('no_place', 'regionId', '事件缺少地点', 'the event has no place');
  return p;
}

export function ancestorAtLevel(world: RoutingWorld, level: string): RegionInfo | undefined {
  return world.ancestors.find((a) => a.level === level);
}

/** The organisation of a type whose jurisdiction covers the place most narrowly (a branch bureau before the county bureau). */
export function coveringOrg(world: RoutingWorld, types: readonly OrgType[]): OrgInfo | undefined {
  const place = placeOf(world).path;
  let best: { org: OrgInfo; len: number } | undefined;
  for (const o of world.orgs) {
    if (!types.includes(o.type)) continue;
    for (const j of o.jurisdictionPaths) {
      if (place.startsWith(j) && (!best || j.length > best.len || (j.length === best.len && o.id < best.org.id))) best = { org: o, len: j.length };
    }
  }
  return best?.org;
}

export function orgCovers(world: RoutingWorld, org: OrgInfo): boolean {
  const place = placeOf(world).path;
  return org.jurisdictionPaths.some((j) => place.startsWith(j));
}

function gap(tier: Tier, zh: string, en: string, regionId?: number) {
  return conflict('no_handler', zh, en, undefined, { tier, ...(regionId ? { regionId: String(regionId) } : {}) });
}

function regionHandlers(world: RoutingWorld, role: Role, regionId: number): HandlerUser[] {
  return world.handlers.filter((h) => h.role === role && h.regionId === regionId);
}

/**
 * The holder of a tier for this place. Grid leaders and village coordinators are held by region
 * (any of that region's people with the tier's role may act); stations, bureaus and brigades by
 * organisation.
 */
export function resolveHolder(tier: Tier, world: RoutingWorld): Holder {
  const place = placeOf(world);
  const nearest = (levels: string[]) => [...world.ancestors].reverse().find((a) => levels.includes(a.level)) ?? place;
  switch (tier) {
    case 'grid_leader': {
      const grid = ancestorAtLevel(world, 'grid');
      if (!grid) throw gap(tier, `${place.name}不在任何网格内，无法流转到网格长`, `${place.name} is not inside a grid: no grid leader`, place.id);
      if (!regionHandlers(world, 'grid_leader', grid.id).length) {
        throw gap(tier, `${grid.name}没有网格长`, `${grid.name} has no grid leader`, grid.id);
      }
      return { tier, regionId: grid.id, organizationId: null, userId: null };
    }
    case 'village': {
      const village = ancestorAtLevel(world, 'village');
      if (!village) throw gap(tier, `${place.name}不在任何村（社区）内，无法流转到平台中心`, `${place.name} is not inside a village`, place.id);
      const centre = coveringOrg(world, ['platform_center']);
      const coordinators = regionHandlers(world, 'village_coordinator', village.id);
      if (!centre && !coordinators.length) {
        throw gap(tier, `${village.name}没有平台中心/协管员`, `${village.name} has no platform centre or village coordinator`, village.id);
      }
      return { tier, regionId: village.id, organizationId: centre?.id ?? null, userId: null };
    }
    case 'station':
    case 'county':
    case 'city':
    case 'enforcement': {
      const types: Record<string, OrgType[]> = {
        station: ['station'],
        county: ['county_bureau'],
        city: ['city_bureau'],
        enforcement: ['enforcement_brigade'],
      };
      const org = coveringOrg(world, types[tier]);
      if (!org) {
        const where = nearest(tier === 'station' ? ['township'] : tier === 'county' ? ['county'] : tier === 'city' ? ['city'] : ['county', 'city']);
        throw gap(
          tier,
          `${where.name}没有管辖该地的${TIER_LABELS[tier].zh}`,
          `no ${TIER_LABELS[tier].en.toLowerCase()} covers ${where.name}`,
          where.id,
        );
      }
      return { tier, regionId: org.regionId, organizationId: org.id, userId: null };
    }
    default:
      throw invalid('tier_not_routable', 'tier', `${TIER_LABELS[tier].zh}不能自动确定承办人`, `tier ${tier} is not routed automatically`);
  }
}

export interface Collector {
  id: string;
  role: Role;
  regionId: number | null;
  organizationId: number | null;
  organizationType: string | null;
}

export interface InitialRouting {
  tier: Tier;
  originTier: Tier;
  holder: Holder;
  /** Why the route differs from the channel's usual one (recorded in history). */
  note: string | null;
}

const ORG_TIER: Partial<Record<string, Tier>> = { station: 'station', county_bureau: 'county', city_bureau: 'city' };

/** Who may report through which channel (E1). `null` collector = the public. */
export const CHANNEL_ROLES: Record<Channel, readonly Role[] | 'anyone'> = {
  grid_patrol: ['unit_leader', 'grid_member', 'grid_leader'],
  department_patrol: ['station_staff', 'bureau_staff'],
  public_report: 'anyone',
  self_inspection: ['business', 'station_staff', 'bureau_staff', 'admin'],
  supervision: ['cadre'],
  external: ['admin', 'station_staff', 'bureau_staff'],
};

/** E2: handle at the lowest level that can. */
export function initialRouting(channel: Channel, collector: Collector | null, world: RoutingWorld): InitialRouting {
  const allowed = CHANNEL_ROLES[channel];
  if (allowed !== 'anyone' && (!collector || !allowed.includes(collector.role))) {
    throw invalid('channel_not_allowed', 'channel', '您的角色不能通过该渠道上报事件', `your role may not report through channel ${channel}`);
  }
  switch (channel) {
    case 'grid_patrol': {
      const c = collector!;
      const tier: Tier = c.role === 'grid_leader' ? 'grid_leader' : 'grid';
      const grid = ancestorAtLevel(world, 'grid');
      return { tier, originTier: tier, holder: { tier, regionId: grid?.id ?? c.regionId, organizationId: null, userId: c.id }, note: null };
    }
    case 'department_patrol': {
      const c = collector!;
      const tier = c.organizationType ? ORG_TIER[c.organizationType] : undefined;
      const org = world.orgs.find((o) => o.id === c.organizationId);
      if (!tier || !org) {
        throw invalid('no_organization', 'channel', '部门巡查须由市场监管所、县局或市局人员上报', 'department patrols are reported by station, county or city bureau staff');
      }
      if (!orgCovers(world, org)) {
        throw invalid('outside_organization', 'regionId', '该地点不在您所在机构的管辖范围内', "the place is outside your organisation's jurisdiction");
      }
      return { tier, originTier: tier, holder: { tier, regionId: org.regionId, organizationId: org.id, userId: null }, note: null };
    }
    case 'public_report': {
      if (!ancestorAtLevel(world, 'village')) {
        // Reported about a township or above: no village to dispatch it, the station takes it.
        const holder = resolveHolder('station', world);
        return { tier: 'station', originTier: 'village', holder, note: '举报地点在村（社区）以上，直接由市场监管所办理' };
      }
      const holder = resolveHolder('village', world);
      return { tier: 'village', originTier: 'village', holder, note: null };
    }
    case 'supervision': {
      const c = collector!;
      return { tier: 'cadre', originTier: 'cadre', holder: { tier: 'cadre', regionId: c.regionId, organizationId: null, userId: c.id }, note: null };
    }
    case 'self_inspection':
    case 'external': {
      const holder = resolveHolder('station', world);
      return { tier: 'station', originTier: 'station', holder, note: null };
    }
  }
}

export function sameHolder(a: Holder | null, b: Holder | null): boolean {
  if (!a || !b) return a === b;
  return a.tier === b.tier && a.regionId === b.regionId && a.organizationId === b.organizationId && a.userId === b.userId;
}
