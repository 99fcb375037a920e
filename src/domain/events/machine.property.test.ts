import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { DomainError } from '../errors.js';
import { inScope } from '../access.js';
import { apply, isHolder } from './machine.js';
import { ACTION_TYPES, CHANNELS, type Action, type EventSnapshot, type HistoryEntry } from './model.js';
import { belowOrigin } from './routing.js';
import { ACTORS, ORG, newEvent, testWorld } from './fixtures.js';

/** Plausible parameters for every action (some deliberately wrong, so refusals are exercised too). */
const PARAMS: Record<string, Record<string, unknown>[]> = {
  escalate: [{ reason: '解决不了' }, {}],
  skip_escalate: [
    { targetTier: 'city', reasonCode: 'hotspot', reason: '舆情' },
    { targetTier: 'county', reasonCode: 'difficult', reason: '处置难' },
    { targetTier: 'county', reasonCode: 'other' },
  ],
  transfer: [{ organizationId: String(ORG.education), reason: '职责' }, { organizationId: String(ORG.county), reason: 'x' }],
  return: [{ reason: '不属于本部门' }],
  refer_enforcement: [{ reason: '案件线索' }],
  record_case: [{ caseNo: 'A1', decision: '罚款', penalty: 'fine' }, { caseNo: 'A2', decision: '吊销', penalty: 'revocation' }, { caseNo: 'A3' }],
  order_rectification: [{ deadline: '2026-04-01T00:00:00Z', requirement: '整改' }, { requirement: '整改' }],
  submit_rectification: [{ note: '已整改' }],
  verify_rectification: [{ passed: true }, { passed: false, deadline: '2026-04-10T00:00:00Z' }, { passed: false }],
  request_assist: [{ regionId: '4', note: '协助' }, { regionId: '6', note: '协助' }],
  resolve: [{ result: '已处理' }, {}],
  feedback: [{ feedback: '已反馈' }],
  close: [{}],
  reject: [{ reason: '非食品安全问题' }],
  merge: [{ intoEventId: 'e0' }, { intoEventId: 'e1' }],
  reopen: [{ reason: '复发' }],
  comment: [{ note: '备注' }],
  accept: [{}],
};

const actorKeys = Object.keys(ACTORS) as (keyof typeof ACTORS)[];
// Most steps are taken by whoever holds the event, so sequences get deep (closed, reopened …).
const step = fc.record({
  actor: fc.oneof({ arbitrary: fc.constant('holder' as const), weight: 4 }, { arbitrary: fc.constantFrom(...actorKeys), weight: 1 }),
  type: fc.constantFrom(...ACTION_TYPES),
  variant: fc.nat(5),
  useVersion: fc.boolean(),
});

const creators: Record<string, keyof typeof ACTORS | null> = {
  grid_patrol: 'unit',
  department_patrol: 'county',
  public_report: null,
  self_inspection: 'station',
  supervision: 'cadre',
  external: 'station',
};

const reached = new Set<string>();

describe('event state machine properties', () => {
  test.prop([fc.constantFrom(...CHANNELS), fc.array(step, { minLength: 10, maxLength: 120, size: 'max' })], { numRuns: 300 })(
    'When random actors take random actions, then the invariants hold after every step',
    (channel, steps) => {
      const world = { ...testWorld(), mergeTarget: { id: 'e0', state: 'open' as const } };
      const creator = creators[channel];
      let e: EventSnapshot = newEvent(channel, creator ? ACTORS[creator] : null, world);
      const history: HistoryEntry[] = [];
      for (const s of steps) {
        const actor = s.actor === 'holder' ? (Object.values(ACTORS).find((a) => isHolder(e, a)) ?? ACTORS.outsider) : ACTORS[s.actor];
        const options = PARAMS[s.type];
        const action: Action = { type: s.type, ...options[s.variant % options.length], ...(s.useVersion ? { expectedVersion: e.version } : {}) };
        const before = e;
        try {
          const r = apply(e, action, actor, world);
          e = r.event;
          history.push(r.history);
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          continue;
        }
        // version strictly increasing, one history entry per change, chained from the previous state
        expect(e.version).toBe(before.version + 1);
        const h = history[history.length - 1];
        expect(h.fromState).toBe(before.state);
        expect(h.toState).toBe(e.state);
        expect(h.fromTier).toBe(before.tier);
        expect(h.toTier).toBe(e.tier);
        // nobody outside jurisdiction acts; only the holder changes an event (comments and collector reopen aside)
        expect(actor.kind === 'user' && (inScope(actor.scope, before.regionPath) || isHolder(before, actor))).toBe(true);
        if (s.type !== 'comment' && !(s.type === 'reopen' && before.collectorId === (actor as any).id)) expect(isHolder(before, actor)).toBe(true);
        // E5 holder never below the origin tier; E9 closed ⇒ result and feedback
        expect(belowOrigin(e.tier, e.originTier)).toBe(false);
        if (e.state === 'closed') expect(!!e.result && !!e.feedback).toBe(true);
        if (e.state === 'merged') expect(e.mergedInto).toBe('e0');
        expect(e.holder.tier).toBe(e.tier);
        reached.add(e.state);
        reached.add(`tier:${e.tier}`);
      }
      // the history is a contiguous chain: each entry starts where the previous one ended
      for (let i = 1; i < history.length; i++) {
        expect(history[i].fromState).toBe(history[i - 1].toState);
        expect(history[i].fromTier).toBe(history[i - 1].toTier);
      }
    },
  );

  test.prop([fc.array(step, { maxLength: 30 })], { numRuns: 100 })('When an outsider tries anything, then it is always not found', (steps) => {
    const world = testWorld();
    let e = newEvent('grid_patrol', ACTORS.unit, world);
    for (const s of steps) {
      const options = PARAMS[s.type];
      const action: Action = { type: s.type, ...options[s.variant % options.length] };
      try {
        e = apply(e, action, s.actor === 'holder' ? (Object.values(ACTORS).find((a) => isHolder(e, a)) ?? ACTORS.unit) : ACTORS[s.actor], world).event;
      } catch {
        /* refusals are fine */
      }
      try {
        apply(e, action, ACTORS.outsider, world);
        expect.unreachable('an outsider acted');
      } catch (err) {
        expect((err as DomainError).kind).toBe('not_found');
      }
    }
  });

  it('When the random runs are done, then they reached every state and every tier (the generator is not trivial)', () => {
    for (const st of ['open', 'in_progress', 'rectifying', 'resolved', 'closed', 'rejected', 'merged']) expect(reached).toContain(st);
    for (const tier of ['grid', 'grid_leader', 'village', 'station', 'county', 'city', 'department', 'enforcement', 'cadre']) expect(reached).toContain(`tier:${tier}`);
  });
});
