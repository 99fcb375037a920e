import { describe, expect, it } from 'vitest';
import { hotspotPlan } from './hotspots.js';

describe('E12 hotspot plan', () => {
  it('When a group reaches the threshold with the new report, then the new report is flagged for that group', () => {
    expect(hotspotPlan([{ kind: 'business', reports: 2, unflaggedOpen: true }], 3, true)).toEqual({
      flagNew: { kind: 'business', reports: 3 },
      flagOthers: [{ kind: 'business', reports: 3 }],
    });
    // one short of it: nothing
    expect(hotspotPlan([{ kind: 'business', reports: 1, unflaggedOpen: true }], 3, true)).toEqual({ flagNew: null, flagOthers: [] });
  });

  it('When the group is already hot and all its open reports are flagged, then only the new one is flagged (no transaction needed)', () => {
    expect(hotspotPlan([{ kind: 'business', reports: 9, unflaggedOpen: false }], 3, true)).toEqual({
      flagNew: { kind: 'business', reports: 10 },
      flagOthers: [],
    });
  });

  it('When both groups are hot, then the business group names the flag; a merged or closed report takes none but others still get theirs', () => {
    const groups = [
      { kind: 'business' as const, reports: 4, unflaggedOpen: false },
      { kind: 'village_category' as const, reports: 2, unflaggedOpen: true },
    ];
    expect(hotspotPlan(groups, 3, true).flagNew).toEqual({ kind: 'business', reports: 5 });
    // only the group with unflagged open reports is flagged again, citing its own count
    expect(hotspotPlan(groups, 3, false)).toEqual({ flagNew: null, flagOthers: [{ kind: 'village_category', reports: 3 }] });
    // only the second group is hot
    expect(hotspotPlan([{ ...groups[0], reports: 0 }, groups[1]], 3, true).flagNew).toEqual({ kind: 'village_category', reports: 3 });
  });
});
