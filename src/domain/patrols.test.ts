import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { assessGrid, coveragePercent, monthOf, monthRange, normalizeAspect, patrolRules, resolveChecklist } from './patrols.js';
import { DomainError } from './errors.js';

const fieldOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as DomainError).field ?? (e as DomainError).code;
  }
  return undefined;
};

describe('patrol coverage maths (P2)', () => {
  it('When 7 of 9 businesses are patrolled, then coverage is 77.7 % (rounded down, never shown as 100 early) and the grid is short', () => {
    expect(coveragePercent(9, 7)).toBe(77.7);
    expect(coveragePercent(3, 2)).toBe(66.6);
    expect(coveragePercent(1000, 999)).toBe(99.9);
    const a = assessGrid({ businesses: 9, patrolled: 7, hazardReports: 2 });
    expect(a).toEqual({ coverage: 77.7, coverageShort: true, hazardsShort: false, unpatrolled: 2, hazardsMissing: 0 });
  });

  it('When every business is patrolled but only one hazard was reported, then only the hazard target is short', () => {
    expect(assessGrid({ businesses: 4, patrolled: 4, hazardReports: 1 })).toEqual({ coverage: 100, coverageShort: false, hazardsShort: true, unpatrolled: 0, hazardsMissing: 1 });
  });

  it('When a grid has no businesses, then it counts as covered, but still owes its two hazard reports', () => {
    expect(assessGrid({ businesses: 0, patrolled: 0, hazardReports: 0 })).toMatchObject({ coverage: 100, coverageShort: false, hazardsShort: true, hazardsMissing: 2 });
  });

  fcTest.prop([fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 5000 })])(
    'When any counts are given, then coverage lies in 0–100 and reaches 100 only when all are patrolled',
    (businesses, patrolled) => {
      const c = coveragePercent(businesses, patrolled);
      expect(c).toBeGreaterThanOrEqual(0);
      expect(c).toBeLessThanOrEqual(100);
      if (businesses > 0) expect(c === 100).toBe(patrolled >= businesses);
    },
  );

  it('When a month is given, then its range is in China time, and December rolls into the next year', () => {
    expect(monthRange('2026-10')).toEqual({ start: new Date('2026-09-30T16:00:00Z'), end: new Date('2026-10-31T16:00:00Z') });
    expect(monthRange('2026-12').end.toISOString()).toBe('2026-12-31T16:00:00.000Z');
    expect(fieldOf(() => monthRange('2026-13'))).toBe('month');
    expect(monthOf(new Date('2026-10-31T17:00:00Z'))).toBe('2026-11');
  });
});

describe('patrol rules (P1, P3)', () => {
  it('When a grid member records a patrol, then it is a grid patrol and only the routine type is allowed', () => {
    expect(patrolRules('grid_member', 'routine')).toEqual({ channel: 'grid_patrol' });
    expect(fieldOf(() => patrolRules('unit_leader', 'unannounced'))).toBe('type');
  });

  it('When station or bureau staff sink down, then any of the four types is a department patrol; other roles may not patrol', () => {
    for (const type of ['routine', 'double_random', 'flight', 'unannounced'] as const) {
      expect(patrolRules('station_staff', type)).toEqual({ channel: 'department_patrol' });
    }
    expect(patrolRules('bureau_staff', 'unannounced').channel).toBe('department_patrol');
    expect(() => patrolRules('volunteer', 'routine')).toThrow(DomainError);
    expect(() => patrolRules('business', 'routine')).toThrow(DomainError);
  });

  it('When checklist lines name aspects or items, then each gets its aspect; bad lines are named by index', () => {
    const aspectOf = (c: string) => ({ LIC01: 'license', HYG02: 'hygiene' })[c];
    expect(resolveChecklist([{ aspect: 'invoice', passed: true }, { itemCode: 'HYG02', passed: false }], aspectOf)).toEqual([
      { aspect: 'invoices', itemCode: null, passed: true, note: null },
      { aspect: 'hygiene', itemCode: 'HYG02', passed: false, note: null },
    ]);
    expect(fieldOf(() => resolveChecklist([], aspectOf))).toBe('items');
    expect(fieldOf(() => resolveChecklist([{ aspect: 'smell', passed: true }], aspectOf))).toBe('items.0.aspect');
    expect(fieldOf(() => resolveChecklist([{ passed: true }, { itemCode: 'XX99', passed: true }], aspectOf))).toBe('items.0.aspect');
    expect(fieldOf(() => resolveChecklist([{ itemCode: 'XX99', passed: true }], aspectOf))).toBe('items.0.itemCode');
    expect(fieldOf(() => resolveChecklist([{ aspect: 'people', itemCode: 'LIC01', passed: true }], aspectOf))).toBe('items.0.aspect');
    expect(fieldOf(() => resolveChecklist([{ aspect: 'goods', passed: false }], aspectOf))).toBe('items.0.note');
    expect(normalizeAspect('license')).toBe('license');
    expect(normalizeAspect('licence')).toBe('license');
    expect(normalizeAspect('smell')).toBeNull();
  });
});
