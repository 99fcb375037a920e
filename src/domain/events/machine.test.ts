import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.js';
import { ACTION_RULES, allowedActions, apply } from './machine.js';
import { ACTION_TYPES, EVENT_STATES, SKIP_REASONS, TIERS, type Action, type ActingActor, type EventSnapshot, type World } from './model.js';
import { initialRouting, nextTierUp, resolveHolder } from './routing.js';
import { ACTORS, ORG, P, collectorOf, newEvent, testWorld } from './fixtures.js';

function err(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError');
}

const run = (e: EventSnapshot, actor: ActingActor, action: Action, world: World = testWorld()) => apply(e, action, actor, world).event;

describe('E2 initial routing per channel', () => {
  const w = testWorld();
  it('When a unit leader reports a grid patrol, then the collector holds it at tier grid (self-handles)', () => {
    const r = initialRouting('grid_patrol', collectorOf(ACTORS.unit), w);
    expect(r).toMatchObject({ tier: 'grid', originTier: 'grid', holder: { tier: 'grid', userId: 'unit', regionId: 5 } });
  });
  it('When a grid member reports a grid patrol, then the grid member holds it', () => {
    expect(initialRouting('grid_patrol', collectorOf(ACTORS.gridMember), w).holder.userId).toBe('gm');
  });
  it('When a grid leader reports a grid patrol, then it starts at tier grid_leader with the leader as holder', () => {
    expect(initialRouting('grid_patrol', collectorOf(ACTORS.gridLeader), w)).toMatchObject({ tier: 'grid_leader', originTier: 'grid_leader' });
  });
  it('When station, county and city staff report department patrols, then their own organisation holds it at its tier (E5 origin)', () => {
    expect(initialRouting('department_patrol', collectorOf(ACTORS.station), w)).toMatchObject({ tier: 'station', originTier: 'station', holder: { organizationId: ORG.station } });
    expect(initialRouting('department_patrol', collectorOf(ACTORS.county), w)).toMatchObject({ tier: 'county', originTier: 'county', holder: { organizationId: ORG.county } });
    expect(initialRouting('department_patrol', collectorOf(ACTORS.city), w)).toMatchObject({ tier: 'city', originTier: 'city', holder: { organizationId: ORG.city } });
  });
  it('When a department patrol is reported outside the collector organisation jurisdiction, then 422 names the place', () => {
    const e = err(() => initialRouting('department_patrol', collectorOf(ACTORS.outsider), { ...w, orgs: [...w.orgs, { id: ORG.otherStation, type: 'station', name: '甲二所', regionId: 7, jurisdictionPaths: [P.otherTownship] }] }));
    expect(e.kind).toBe('invalid');
    expect(e.field).toBe('regionId');
  });
  it('When the public reports, then the village platform centre of the place holds it', () => {
    expect(initialRouting('public_report', null, w)).toMatchObject({ tier: 'village', originTier: 'village', holder: { regionId: 4, organizationId: ORG.platform } });
  });
  it('When the public reports about a township (no village), then the station takes it and says why', () => {
    const tw = { ...w, ancestors: w.ancestors.slice(0, 3) };
    const r = initialRouting('public_report', null, tw);
    expect(r).toMatchObject({ tier: 'station', holder: { organizationId: ORG.station } });
    expect(r.note).toMatch(/市场监管所/);
  });
  it('When a cadre reports a supervision finding, then the cadre holds it', () => {
    expect(initialRouting('supervision', collectorOf(ACTORS.cadre), w)).toMatchObject({ tier: 'cadre', holder: { userId: 'ca' } });
  });
  it('When a self-inspection or external event arrives, then the station covering the place holds it', () => {
    expect(initialRouting('self_inspection', collectorOf(ACTORS.station), w).holder.organizationId).toBe(ORG.station);
    expect(initialRouting('external', collectorOf(ACTORS.county), w).holder.organizationId).toBe(ORG.station);
  });
  it('When a role uses a channel that is not its own, then 422 names channel', () => {
    expect(err(() => initialRouting('grid_patrol', collectorOf(ACTORS.station), w)).field).toBe('channel');
    expect(err(() => initialRouting('supervision', collectorOf(ACTORS.unit), w)).field).toBe('channel');
    expect(err(() => initialRouting('department_patrol', collectorOf(ACTORS.unit), w)).field).toBe('channel');
  });
});

describe('E3 the next tier up and its holder', () => {
  const w = testWorld();
  it('When walking up the ladder, then grid → grid_leader → village → station → county → city, and a cadre goes to the station', () => {
    expect(['grid', 'grid_leader', 'village', 'station', 'county', 'city', 'cadre', 'department', 'enforcement'].map((t) => nextTierUp(t as any))).toEqual([
      'grid_leader',
      'village',
      'station',
      'county',
      'city',
      null,
      'station',
      null,
      null,
    ]);
  });
  it('When resolving each ladder tier, then the region or organisation covering the place is found', () => {
    expect(resolveHolder('grid_leader', w)).toEqual({ tier: 'grid_leader', regionId: 5, organizationId: null, userId: null });
    expect(resolveHolder('village', w)).toEqual({ tier: 'village', regionId: 4, organizationId: ORG.platform, userId: null });
    expect(resolveHolder('station', w).organizationId).toBe(ORG.station);
    expect(resolveHolder('county', w).organizationId).toBe(ORG.county);
    expect(resolveHolder('city', w).organizationId).toBe(ORG.city);
    expect(resolveHolder('enforcement', w).organizationId).toBe(ORG.brigade);
  });
  it('When a branch bureau (分局) covers the township, then it takes the county tier before the county bureau', () => {
    const bw = { ...w, orgs: [...w.orgs, { id: 16, type: 'county_bureau' as const, name: '北岸分局', regionId: 3, jurisdictionPaths: [P.township] }] };
    expect(resolveHolder('county', bw).organizationId).toBe(16);
  });
  it('When the village has neither platform centre nor coordinator, then the error names the gap', () => {
    const gw = { ...w, orgs: w.orgs.filter((o) => o.type !== 'platform_center'), handlers: w.handlers.filter((h) => h.role !== 'village_coordinator') };
    const e = err(() => resolveHolder('village', gw));
    expect(e.kind).toBe('conflict');
    expect(e.code).toBe('no_handler');
    expect(e.zh).toBe('甲一社区没有平台中心/协管员');
  });
  it('When the grid has no grid leader, or no station covers the township, then the error names it', () => {
    expect(err(() => resolveHolder('grid_leader', { ...w, handlers: [] })).zh).toBe('甲一社区第1网格没有网格长');
    expect(err(() => resolveHolder('station', { ...w, orgs: w.orgs.filter((o) => o.type !== 'station') })).zh).toMatch(/^甲一街道没有管辖该地的市场监管所/);
  });
});

describe('the state machine, level by level', () => {
  it('When each holder escalates in turn, then the event climbs unit→grid_leader→village→station→county→city and then cannot climb further', () => {
    let e = newEvent('grid_patrol', ACTORS.unit);
    const steps: [ActingActor, string][] = [
      [ACTORS.unit, 'grid_leader'],
      [ACTORS.gridLeader, 'village'],
      [ACTORS.village, 'station'],
      [ACTORS.station, 'county'],
      [ACTORS.county, 'city'],
    ];
    for (const [actor, tier] of steps) {
      const r = apply(e, { type: 'escalate', reason: '解决不了' }, actor, testWorld());
      expect(r.event.tier).toBe(tier);
      expect(r.event.state).toBe('open');
      expect(r.history).toMatchObject({ type: 'escalate', fromTier: e.tier, toTier: tier, note: '解决不了' });
      expect(r.effects).toContainEqual({ kind: 'notify_holder' });
      expect(r.event.deadline).toBeInstanceOf(Date);
      e = r.event;
    }
    expect(allowedActions(e, ACTORS.city)).not.toContain('escalate');
    expect(err(() => run(e, ACTORS.city, { type: 'escalate', reason: 'x' })).kind).toBe('conflict');
  });

  it('When escalating without a reason, then 422 names reason', () => {
    const e = err(() => run(newEvent('grid_patrol', ACTORS.unit), ACTORS.unit, { type: 'escalate' }));
    expect(e.kind).toBe('invalid');
    expect(e.field).toBe('reason');
  });

  it('When someone other than the holder acts, then forbidden (403); outside jurisdiction, then not found (404)', () => {
    const e = newEvent('grid_patrol', ACTORS.unit);
    expect(err(() => run(e, ACTORS.gridMember, { type: 'accept' })).kind).toBe('forbidden');
    expect(err(() => run(e, ACTORS.station, { type: 'accept' })).kind).toBe('forbidden');
    expect(err(() => run(e, ACTORS.outsider, { type: 'accept' })).kind).toBe('not_found');
    expect(err(() => run(e, ACTORS.outsider, { type: 'comment', note: 'x' })).kind).toBe('not_found');
  });

  it('When expectedVersion is stale, then conflict stale_version', () => {
    const e = newEvent('grid_patrol', ACTORS.unit);
    const x = err(() => run(e, ACTORS.unit, { type: 'accept', expectedVersion: 7 }));
    expect(x.kind).toBe('conflict');
    expect(x.code).toBe('stale_version');
  });

  it('When a grid worker self-handles, then accept → resolve → feedback → close closes it with result and feedback', () => {
    let e = newEvent('grid_patrol', ACTORS.unit);
    e = run(e, ACTORS.unit, { type: 'accept' });
    expect(e.state).toBe('in_progress');
    expect(err(() => run(e, ACTORS.unit, { type: 'close' })).kind).toBe('conflict');
    e = run(e, ACTORS.unit, { type: 'resolve', result: '已督促整改到位' });
    expect(allowedActions(e, ACTORS.unit)).not.toContain('close');
    const c = err(() => run(e, ACTORS.unit, { type: 'close' }));
    expect(c.kind).toBe('invalid');
    expect(c.field).toBe('feedback');
    const fb = apply(e, { type: 'feedback', feedback: '已告知' }, ACTORS.unit, testWorld());
    expect(fb.effects).toContainEqual({ kind: 'notify_source', text: '已告知' });
    e = run(fb.event, ACTORS.unit, { type: 'close' });
    expect(e).toMatchObject({ state: 'closed', result: '已督促整改到位', feedback: '已告知', version: 5 });
  });

  it('When rejected, then it still needs feedback, and reopen brings it back open at the same tier and counts', () => {
    let e = newEvent('public_report', null);
    e = run(e, ACTORS.village, { type: 'reject', reason: '非食品安全问题' });
    expect(e.state).toBe('rejected');
    expect(allowedActions(e, ACTORS.village)).toEqual(expect.arrayContaining(['feedback', 'reopen', 'comment']));
    e = run(e, ACTORS.village, { type: 'feedback', feedback: '已电话告知' });
    e = run(e, ACTORS.village, { type: 'reopen', reason: '举报人补充材料' });
    expect(e).toMatchObject({ state: 'open', tier: 'village', reopenCount: 1, feedback: null, rejectReason: null });
  });

  it('When a closed event is reopened by its collector, then it is open again at the tier that closed it', () => {
    let e = newEvent('grid_patrol', ACTORS.unit);
    e = run(e, ACTORS.unit, { type: 'escalate', reason: '处理不了' });
    e = run(e, ACTORS.gridLeader, { type: 'accept' });
    e = run(e, ACTORS.gridLeader, { type: 'resolve', result: '已处理' });
    e = run(e, ACTORS.gridLeader, { type: 'feedback', feedback: '已反馈' });
    e = run(e, ACTORS.gridLeader, { type: 'close' });
    e = run(e, ACTORS.unit, { type: 'reopen', reason: '问题复发' });
    expect(e).toMatchObject({ state: 'open', tier: 'grid_leader', result: null, closedAt: null });
  });
});

describe('E4 skip-level escalation', () => {
  const atStation = () => newEvent('self_inspection', ACTORS.station);
  it.each(SKIP_REASONS.map((r) => [r]))('When the station skips to the city citing %s, then the city bureau holds it and the reason is recorded', (reasonCode) => {
    const r = apply(atStation(), { type: 'skip_escalate', targetTier: 'city', reasonCode, reason: '说明' }, ACTORS.station, testWorld());
    expect(r.event).toMatchObject({ tier: 'city', holder: { organizationId: ORG.city } });
    expect(r.history.detail).toMatchObject({ reasonCode, targetTier: 'city' });
  });
  it('When the reason code is unknown or the text is missing, then 422 names the field', () => {
    expect(err(() => run(atStation(), ACTORS.station, { type: 'skip_escalate', targetTier: 'city', reasonCode: 'boredom', reason: 'x' })).field).toBe('reasonCode');
    expect(err(() => run(atStation(), ACTORS.station, { type: 'skip_escalate', targetTier: 'city', reasonCode: 'other' })).field).toBe('reason');
    expect(err(() => run(atStation(), ACTORS.station, { type: 'skip_escalate', targetTier: 'station', reasonCode: 'major', reason: 'x' })).field).toBe('targetTier');
  });
  it('When the county skips "up" to the county, then 422 (only upward)', () => {
    const e = newEvent('department_patrol', ACTORS.county);
    expect(err(() => run(e, ACTORS.county, { type: 'skip_escalate', targetTier: 'county', reasonCode: 'major', reason: 'x' })).code).toBe('not_upward');
  });
  it('When a grid, grid leader, village or cadre holder tries to skip, then the transition is forbidden (only market-supervision tiers)', () => {
    const e1 = newEvent('grid_patrol', ACTORS.unit);
    expect(err(() => run(e1, ACTORS.unit, { type: 'skip_escalate', targetTier: 'city', reasonCode: 'major', reason: 'x' })).code).toBe('transition_forbidden');
    const e2 = newEvent('public_report', null);
    expect(err(() => run(e2, ACTORS.village, { type: 'skip_escalate', targetTier: 'county', reasonCode: 'major', reason: 'x' })).code).toBe('transition_forbidden');
    const e3 = newEvent('supervision', ACTORS.cadre);
    expect(err(() => run(e3, ACTORS.cadre, { type: 'skip_escalate', targetTier: 'county', reasonCode: 'major', reason: 'x' })).code).toBe('transition_forbidden');
  });
});

describe('E5 upper-level events never flow down', () => {
  it('When a county patrol event is transferred and returned, then it comes back to the county, never to the station', () => {
    let e = newEvent('department_patrol', ACTORS.county);
    e = run(e, ACTORS.county, { type: 'transfer', organizationId: String(ORG.education), reason: '学校食堂归教育部门' });
    expect(e).toMatchObject({ tier: 'department', holder: { organizationId: ORG.education } });
    e = run(e, ACTORS.education, { type: 'return', reason: '不属于本部门职责' });
    expect(e).toMatchObject({ tier: 'county', holder: { organizationId: ORG.county }, originTier: 'county' });
  });
  it('When the county asks a village to assist, then an assist task is created and the holder is unchanged', () => {
    const e = newEvent('department_patrol', ACTORS.county);
    const r = apply(e, { type: 'request_assist', regionId: '4', note: '请协助督促整改' }, ACTORS.county, testWorld());
    expect(r.event.holder).toEqual(e.holder);
    expect(r.event.tier).toBe('county');
    expect(r.effects).toContainEqual({ kind: 'create_assist', regionId: 4, note: '请协助督促整改' });
  });
  it('When assistance is asked of a region not containing the place or not below the holder, then 422 names regionId', () => {
    const e = newEvent('department_patrol', ACTORS.county);
    expect(err(() => run(e, ACTORS.county, { type: 'request_assist', regionId: '7', note: 'x' })).field).toBe('regionId');
    expect(err(() => run(e, ACTORS.county, { type: 'request_assist', regionId: '1', note: 'x' })).field).toBe('regionId');
  });
  it('When a returned holder would sit below the origin tier, then the guard refuses', () => {
    const e = { ...newEvent('department_patrol', ACTORS.county), tier: 'department' as const, holder: { tier: 'department' as const, regionId: 2, organizationId: ORG.education, userId: null }, returnTo: { tier: 'station' as const, regionId: 3, organizationId: ORG.station, userId: null } };
    expect(err(() => run(e, ACTORS.education, { type: 'return', reason: 'x' })).code).toBe('below_origin_tier');
  });
});

describe('E6 transfer, E7 enforcement, E8 rectification', () => {
  it('When transferring to a department that does not cover the place, or to a non-department, then 422 names organizationId', () => {
    const e = newEvent('self_inspection', ACTORS.station);
    expect(err(() => run(e, ACTORS.station, { type: 'transfer', organizationId: String(ORG.county), reason: 'x' })).field).toBe('organizationId');
    expect(err(() => run(e, ACTORS.station, { type: 'transfer', organizationId: '999', reason: 'x' })).field).toBe('organizationId');
  });
  it('When referred to enforcement and a suspension is recorded, then the brigade covering the place holds it and the business status effect is emitted', () => {
    let e = newEvent('self_inspection', ACTORS.station);
    e = run(e, ACTORS.station, { type: 'refer_enforcement', reason: '涉嫌违法' });
    expect(e).toMatchObject({ tier: 'enforcement', holder: { organizationId: ORG.brigade }, returnTo: { organizationId: ORG.station } });
    const r = apply(e, { type: 'record_case', caseNo: '莆市监罚〔2026〕1号', decision: '责令停产停业', penalty: 'suspension' }, ACTORS.brigade, testWorld());
    expect(r.event).toMatchObject({ state: 'in_progress', caseNo: '莆市监罚〔2026〕1号', penalty: 'suspension' });
    expect(r.effects).toContainEqual({ kind: 'business_status', status: 'suspended' });
    expect(err(() => run(r.event, ACTORS.brigade, { type: 'record_case', caseNo: 'x', decision: 'y', penalty: 'jail' })).field).toBe('penalty');
  });
  it('When rectification is ordered, submitted and fails verification, then a new deadline is required; pass returns to in_progress', () => {
    const w = testWorld();
    let e = run(newEvent('self_inspection', ACTORS.station), ACTORS.station, { type: 'accept' });
    expect(err(() => run(e, ACTORS.station, { type: 'order_rectification', requirement: 'x', deadline: '2020-01-01T00:00:00Z' })).field).toBe('deadline');
    e = run(e, ACTORS.station, { type: 'order_rectification', requirement: '清理过期食品', deadline: '2026-03-09T10:00:00Z' }, w);
    expect(e).toMatchObject({ state: 'rectifying', rectificationRequirement: '清理过期食品' });
    e = run(e, ACTORS.station, { type: 'submit_rectification', note: '已清理' });
    expect(err(() => run(e, ACTORS.station, { type: 'verify_rectification', passed: false })).field).toBe('deadline');
    expect(err(() => run(e, ACTORS.station, { type: 'verify_rectification' })).field).toBe('passed');
    e = run(e, ACTORS.station, { type: 'verify_rectification', passed: false, deadline: '2026-03-12T10:00:00Z' });
    expect(e.state).toBe('rectifying');
    expect(e.rectificationDeadline?.toISOString()).toBe('2026-03-12T10:00:00.000Z');
    e = run(e, ACTORS.station, { type: 'verify_rectification', passed: true });
    expect(e.state).toBe('in_progress');
  });
});

describe('every forbidden transition', () => {
  // Build one event in each state, at a tier where the action's tier rule allows it, held by the station.
  const inState = (state: (typeof EVENT_STATES)[number]): EventSnapshot => ({
    ...newEvent('self_inspection', ACTORS.station),
    state,
    result: 'r',
    feedback: 'f',
    mergedInto: state === 'merged' ? 'e0' : null,
  });
  for (const type of ACTION_TYPES) {
    for (const state of EVENT_STATES) {
      if (ACTION_RULES[type].from.includes(state)) continue;
      it(`When the event is ${state}, then ${type} is refused with 409 transition_forbidden`, () => {
        const e = err(() => run(inState(state), ACTORS.station, { type }));
        expect(e.kind).toBe('conflict');
        expect(e.code).toBe('transition_forbidden');
        expect(allowedActions(inState(state), ACTORS.station)).not.toContain(type);
      });
    }
  }
  for (const type of ACTION_TYPES) {
    for (const tier of TIERS) {
      if (ACTION_RULES[type].tiers.includes(tier)) continue;
      const state = ACTION_RULES[type].from[0];
      it(`When the event is at tier ${tier}, then ${type} is refused with 409`, () => {
        const e: EventSnapshot = { ...inState(state), tier, holder: { tier, regionId: null, organizationId: null, userId: 'st' }, originTier: tier };
        const x = err(() => run(e, ACTORS.station, { type }));
        expect(x.kind).toBe('conflict');
        expect(x.code).toBe('transition_forbidden');
      });
    }
  }
});

describe('E11 self-handle tiers of the catalogue item', () => {
  it('When the item may be self-handled only from the station up, then a grid worker cannot resolve it and must escalate', () => {
    const world = { ...testWorld(), selfHandleTiers: ['station', 'county', 'city'] };
    const e = run(newEvent('grid_patrol', ACTORS.unit), ACTORS.unit, { type: 'accept' }, world);
    const x = err(() => run(e, ACTORS.unit, { type: 'resolve', result: '已处理' }, world));
    expect(x.code).toBe('self_handle_not_allowed');
    expect(x.zh).toBe('该事项须由市场监管所、县级市场监管部门、市级市场监管部门办理，请上报');
    const s = run(run(newEvent('self_inspection', ACTORS.station), ACTORS.station, { type: 'accept' }), ACTORS.station, { type: 'resolve', result: '已处理' }, world);
    expect(s.state).toBe('resolved');
  });
  it('When the item does not restrict self-handling, then any holder may resolve', () => {
    const world = { ...testWorld(), selfHandleTiers: [] };
    const e = run(newEvent('grid_patrol', ACTORS.unit), ACTORS.unit, { type: 'accept' }, world);
    expect(run(e, ACTORS.unit, { type: 'resolve', result: '已处理' }, world).state).toBe('resolved');
  });
});

describe('allowed actions for the console', () => {
  it('When the catalogue item restricts self-handling, then resolve is not offered below the allowed tiers', () => {
    const e = run(newEvent('grid_patrol', ACTORS.unit), ACTORS.unit, { type: 'accept' });
    expect(allowedActions(e, ACTORS.unit)).toContain('resolve');
    expect(allowedActions(e, ACTORS.unit, { selfHandleTiers: ['station'] })).not.toContain('resolve');
    expect(allowedActions(e, ACTORS.unit, { selfHandleTiers: ['grid', 'station'] })).toContain('resolve');
  });
  it('When the caller is outside the jurisdiction or not the holder, then nothing but (in scope) comment is offered', () => {
    const e = newEvent('grid_patrol', ACTORS.unit);
    expect(allowedActions(e, ACTORS.outsider)).toEqual([]);
    expect(allowedActions(e, ACTORS.station)).toEqual(['comment']);
  });
});

describe('holders of organisation-held events', () => {
  const held = (tier: any, organizationId: number, regionId: number): EventSnapshot => ({
    ...newEvent('grid_patrol', ACTORS.unit),
    state: 'in_progress',
    tier,
    holder: { tier, regionId, organizationId, userId: null },
  });
  it('When a brigade holds a case, then an officer of another brigade seated in the same city is not its holder', () => {
    const other = { kind: 'user', id: 'o2', role: 'enforcement_officer', regionId: 1, organizationId: 99, organizationType: 'enforcement_brigade', scope: [P.city] } as ActingActor;
    const own = { kind: 'user', id: 'o1', role: 'enforcement_officer', regionId: 1, organizationId: ORG.brigade, organizationType: 'enforcement_brigade', scope: [P.county] } as ActingActor;
    const e = held('enforcement', ORG.brigade, 1);
    expect(allowedActions(e, other)).not.toContain('record_case');
    expect(allowedActions(e, own)).toContain('record_case');
    const x = err(() => run(e, other, { type: 'record_case', caseNo: 'X', decision: 'Y', penalty: 'none' }));
    expect(x.kind).toBe('forbidden');
  });
  it('When a department holds an event, then it may resolve it whatever the catalogue says of the ladder tiers', () => {
    const edu = { kind: 'user', id: 'ed', role: 'department_staff', regionId: 2, organizationId: ORG.education, organizationType: 'department', scope: [P.county] } as ActingActor;
    const world = { ...testWorld(), selfHandleTiers: ['station', 'county', 'city'] };
    const e = held('department', ORG.education, 2);
    expect(allowedActions(e, edu, { selfHandleTiers: ['station'] })).toContain('resolve');
    expect(run(e, edu, { type: 'resolve', result: '教育局已督促食堂整改' }, world).state).toBe('resolved');
  });
});
