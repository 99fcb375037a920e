import { DEFAULT_DEADLINE_SETTINGS } from '../deadlines.js';
import type { ActingActor, Channel, EventSnapshot, World } from './model.js';
import { initialRouting, type Collector } from './routing.js';

/**
 * A pure six-level world for the state machine's unit and property tests:
 * city 1 > county 2 > township 3 > village 4 > grid 5 > unit 6, plus a second township 7.
 */
export const P = {
  city: '/1/',
  county: '/1/2/',
  township: '/1/2/3/',
  village: '/1/2/3/4/',
  grid: '/1/2/3/4/5/',
  unit: '/1/2/3/4/5/6/',
  otherTownship: '/1/2/7/',
};

export const ORG = { city: 10, county: 11, station: 12, brigade: 13, platform: 14, education: 15, otherStation: 17 };

export function testWorld(now = new Date('2026-03-02T02:00:00Z')): World {
  return {
    now,
    deadlines: DEFAULT_DEADLINE_SETTINGS,
    ancestors: [
      { id: 1, level: 'city', name: '测试市', path: P.city },
      { id: 2, level: 'county', name: '甲区', path: P.county },
      { id: 3, level: 'township', name: '甲一街道', path: P.township },
      { id: 4, level: 'village', name: '甲一社区', path: P.village },
      { id: 5, level: 'grid', name: '甲一社区第1网格', path: P.grid },
      { id: 6, level: 'unit', name: '第1单元', path: P.unit },
    ],
    orgs: [
      { id: ORG.city, type: 'city_bureau', name: '市局', regionId: 1, jurisdictionPaths: [P.city] },
      { id: ORG.county, type: 'county_bureau', name: '甲区局', regionId: 2, jurisdictionPaths: [P.county] },
      { id: ORG.station, type: 'station', name: '甲一所', regionId: 3, jurisdictionPaths: [P.township] },
      { id: ORG.brigade, type: 'enforcement_brigade', name: '一大队', regionId: 1, jurisdictionPaths: [P.county] },
      { id: ORG.platform, type: 'platform_center', name: '甲一社区平台中心', regionId: 4, jurisdictionPaths: [P.village] },
      { id: ORG.education, type: 'department', name: '甲区教育局', regionId: 2, jurisdictionPaths: [P.county] },
    ],
    handlers: [
      { id: 'gl', role: 'grid_leader', regionId: 5, organizationId: null },
      { id: 'vc', role: 'village_coordinator', regionId: 4, organizationId: ORG.platform },
    ],
  };
}

const user = (id: string, role: any, regionId: number | null, organizationId: number | null, organizationType: string | null, scope: string[]): ActingActor => ({
  kind: 'user',
  id,
  role,
  regionId,
  organizationId,
  organizationType,
  scope,
});

export const ACTORS = {
  unit: user('unit', 'unit_leader', 6, null, null, [P.unit]),
  gridMember: user('gm', 'grid_member', 5, null, null, [P.grid]),
  gridLeader: user('gl', 'grid_leader', 5, null, null, [P.grid]),
  village: user('vc', 'village_coordinator', 4, ORG.platform, 'platform_center', [P.village]),
  station: user('st', 'station_staff', 3, ORG.station, 'station', [P.township]),
  county: user('co', 'bureau_staff', 2, ORG.county, 'county_bureau', [P.county]),
  city: user('ci', 'bureau_staff', 1, ORG.city, 'city_bureau', [P.city]),
  brigade: user('br', 'enforcement_officer', null, ORG.brigade, 'enforcement_brigade', [P.county]),
  education: user('ed', 'department_staff', 2, ORG.education, 'department', [P.county]),
  cadre: user('ca', 'cadre', 3, null, null, [P.township]),
  outsider: user('out', 'station_staff', 7, ORG.otherStation, 'station', [P.otherTownship]),
} satisfies Record<string, ActingActor>;

export function collectorOf(a: ActingActor): Collector {
  if (a.kind !== 'user') throw new Error('not a user');
  return { id: a.id, role: a.role, regionId: a.regionId, organizationId: a.organizationId, organizationType: a.organizationType };
}

/** A fresh event as createEvent would store it. */
export function newEvent(channel: Channel, collector: ActingActor | null, world = testWorld(), regionPath = P.unit): EventSnapshot {
  const r = initialRouting(channel, collector ? collectorOf(collector) : null, world);
  return {
    id: 'e1',
    channel,
    state: 'open',
    tier: r.tier,
    originTier: r.originTier,
    holder: r.holder,
    version: 1,
    regionPath,
    businessId: 'b1',
    collectorId: collector && collector.kind === 'user' ? collector.id : null,
    deadline: null,
    tierEnteredAt: world.now,
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
}
