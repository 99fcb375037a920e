import { describe, expect, it } from 'vitest';
import { fc, test as fcTest } from '@fast-check/vitest';
import { BUSINESS_TYPES, computeGrade, effectiveGrade, sizeClass, SIZE_STANDARD_2017, type Grade, type GradeInput } from './grading.js';
import { computeRiskLevel, supervisionRule } from './risk.js';

type Row = [string, GradeInput, Grade];

// Canteens: seed 003 bands; on a shared boundary the higher grade applies.
const canteens: Row[] = [
  ['school 199 (just below 200)', { type: 'school_canteen', dinersCount: 199 }, 'D'],
  ['school 200 (at 200)', { type: 'school_canteen', dinersCount: 200 }, 'C'],
  ['school 201', { type: 'school_canteen', dinersCount: 201 }, 'C'],
  ['school 499', { type: 'school_canteen', dinersCount: 499 }, 'C'],
  ['school 500', { type: 'school_canteen', dinersCount: 500 }, 'B'],
  ['school 501', { type: 'school_canteen', dinersCount: 501 }, 'B'],
  ['school 2999', { type: 'school_canteen', dinersCount: 2999 }, 'B'],
  ['school 3000', { type: 'school_canteen', dinersCount: 3000 }, 'A'],
  ['school 3001', { type: 'school_canteen', dinersCount: 3001 }, 'A'],
  ['school 0', { type: 'school_canteen', dinersCount: 0 }, 'D'],
  ['school unknown diners', { type: 'school_canteen' }, 'D'],
  ['kindergarten 99', { type: 'kindergarten_canteen', dinersCount: 99 }, 'D'],
  ['kindergarten 100', { type: 'kindergarten_canteen', dinersCount: 100 }, 'C'],
  ['kindergarten 101', { type: 'kindergarten_canteen', dinersCount: 101 }, 'C'],
  ['kindergarten 299', { type: 'kindergarten_canteen', dinersCount: 299 }, 'C'],
  ['kindergarten 300', { type: 'kindergarten_canteen', dinersCount: 300 }, 'B'],
  ['kindergarten 301', { type: 'kindergarten_canteen', dinersCount: 301 }, 'B'],
  ['kindergarten 499', { type: 'kindergarten_canteen', dinersCount: 499 }, 'B'],
  ['kindergarten 500', { type: 'kindergarten_canteen', dinersCount: 500 }, 'A'],
  ['kindergarten 501', { type: 'kindergarten_canteen', dinersCount: 501 }, 'A'],
];

const fixed: Row[] = [
  ['workshop, whatever its size', { type: 'workshop', employees: 5000, revenueWan: 99999 }, 'C'],
  ['workshop without figures', { type: 'workshop' }, 'C'],
  ['stall', { type: 'stall', employees: 500, revenueWan: 50000 }, 'D'],
  ['other', { type: 'other' }, 'D'],
];

/**
 * Every class boundary of every size table, on each indicator: just below, at and just above the
 * lower bound (the other indicator comfortably inside the class), mapped by seed 003.
 */
function sizeRows(): Row[] {
  const rows: Row[] = [];
  const industries = [
    { type: 'production' as const, industry: 'industry' as const, map: { large: 'A', medium: 'B', small: 'B', micro: 'C' } },
    { type: 'sales' as const, industry: 'retail' as const, map: { large: 'A', medium: 'B', small: 'C', micro: 'D' } },
    { type: 'sales' as const, industry: 'wholesale' as const, tags: ['wholesale'], map: { large: 'A', medium: 'B', small: 'C', micro: 'D' } },
    { type: 'catering' as const, industry: 'catering' as const, map: { large: 'A', medium: 'B', small: 'C', micro: 'D' } },
  ];
  for (const spec of industries) {
    const std = SIZE_STANDARD_2017[spec.industry];
    const classes = [
      ['large', std.large, 'medium'],
      ['medium', std.medium, 'small'],
      ['small', std.small, 'micro'],
    ] as const;
    for (const [cls, bound, lower] of classes) {
      const X = bound.employees!;
      const Y = bound.revenueWan;
      const base = { type: spec.type, productTags: (spec as any).tags ?? [] };
      const at = spec.map[cls] as Grade;
      const below = spec.map[lower] as Grade;
      rows.push([`${spec.industry} ${cls}: employees ${X - 1} (just below), revenue at ${Y}`, { ...base, employees: X - 1, revenueWan: Y }, below]);
      rows.push([`${spec.industry} ${cls}: employees ${X} (at), revenue at ${Y}`, { ...base, employees: X, revenueWan: Y }, at]);
      rows.push([`${spec.industry} ${cls}: employees ${X + 1} (just above), revenue at ${Y}`, { ...base, employees: X + 1, revenueWan: Y }, at]);
      rows.push([`${spec.industry} ${cls}: revenue ${Y - 0.01} (just below), employees at ${X}`, { ...base, employees: X, revenueWan: Y - 0.01 }, below]);
      rows.push([`${spec.industry} ${cls}: revenue ${Y + 0.01} (just above), employees at ${X}`, { ...base, employees: X, revenueWan: Y + 0.01 }, at]);
    }
  }
  return rows;
}

const farms: Row[] = [
  ['farm revenue 49.99', { type: 'farm', revenueWan: 49.99 }, 'D'],
  ['farm revenue 50', { type: 'farm', revenueWan: 50 }, 'C'],
  ['farm revenue 499.99', { type: 'farm', revenueWan: 499.99 }, 'C'],
  ['farm revenue 500', { type: 'farm', revenueWan: 500 }, 'B'],
  ['farm revenue 19999.99', { type: 'farm', revenueWan: 19999.99 }, 'B'],
  ['farm revenue 20000', { type: 'farm', revenueWan: 20000 }, 'A'],
  ['farm without figures', { type: 'farm' }, 'D'],
];

const partial: Row[] = [
  ['production without any figure (micro)', { type: 'production' }, 'C'],
  ['production, only 300 employees known (medium)', { type: 'production', employees: 300 }, 'B'],
  ['production, only 40000 万元 known (large)', { type: 'production', revenueWan: 40000 }, 'A'],
  ['catering without any figure (micro)', { type: 'catering' }, 'D'],
  ['retail, only 9 employees known (micro)', { type: 'sales', employees: 9 }, 'D'],
  ['retail: 5000 employees but 99 万元 (micro needs one indicator)', { type: 'sales', employees: 5000, revenueWan: 99 }, 'D'],
];

describe('B2 grade from seed 003 and the 2017 size standard', () => {
  it.each([...canteens, ...fixed, ...sizeRows(), ...farms, ...partial])('When %s, then the grade is as the rules say', (_name, input, grade) => {
    expect(computeGrade(input).grade).toBe(grade);
  });

  it('When a grade is computed, then a Chinese reason explains it', () => {
    const r = computeGrade({ type: 'school_canteen', dinersCount: 800 });
    expect(r.reasonZh).toContain('800');
    expect(r.reasonZh).toContain('B级');
    expect(computeGrade({ type: 'production', employees: 10, revenueWan: 100 }).reasonZh).toContain('微型');
  });

  it('When only one indicator is known, then the basis says which', () => {
    expect(sizeClass('retail', 60, null)).toEqual({ size: 'medium', basis: 'employees' });
    expect(sizeClass('retail', undefined, 600)).toEqual({ size: 'medium', basis: 'revenue' });
    expect(sizeClass('retail', null, null)).toEqual({ size: 'micro', basis: 'none' });
  });

  it('When an override is recorded, then it is the grade in force', () => {
    expect(effectiveGrade('C', 'A')).toBe('A');
    expect(effectiveGrade('C', null)).toBe('C');
  });

  fcTest.prop([fc.constantFrom(...BUSINESS_TYPES), fc.nat(5000), fc.double({ min: 0, max: 100000, noNaN: true }), fc.nat(5000)])(
    'When the figures grow, then the grade never gets lower',
    (type, employees, revenueWan, diners) => {
      const rank = (g: Grade) => 'DCBA'.indexOf(g);
      const a = computeGrade({ type, employees, revenueWan, dinersCount: diners });
      const b = computeGrade({ type, employees: employees + 1, revenueWan: revenueWan + 1, dinersCount: diners + 1 });
      expect(rank(b.grade)).toBeGreaterThanOrEqual(rank(a.grade));
    },
  );
});

describe('B3 risk level from seed 003', () => {
  it.each([
    ['school canteen', { type: 'school_canteen' as const }, 'high'],
    ['kindergarten canteen', { type: 'kindergarten_canteen' as const }, 'high'],
    ['dairy producer', { type: 'production' as const, productTags: ['dairy'] }, 'high'],
    ['meat producer', { type: 'production' as const, productTags: ['meat', 'other'] }, 'high'],
    ['bakery producer', { type: 'production' as const, productTags: ['bakery'] }, 'normal'],
    ['meat seller (not a producer)', { type: 'sales' as const, productTags: ['meat'] }, 'normal'],
    ['group-meal distributor', { type: 'catering' as const, productTags: ['group_meal'] }, 'high'],
    ['prepackaged-only shop', { type: 'sales' as const, productTags: ['prepackaged_only'] }, 'low'],
    ['restaurant', { type: 'catering' as const }, 'normal'],
  ])('When the business is a %s, then its risk is computed', (_n, input, level) => {
    expect(computeRiskLevel(input).level).toBe(level);
  });

  it('When the risk is high, then on-site supervision is required each quarter', () => {
    expect(supervisionRule('high')).toEqual({ minPerQuarter: 1, onSiteRequired: true });
    expect(supervisionRule('low').onSiteRequired).toBe(false);
  });
});
