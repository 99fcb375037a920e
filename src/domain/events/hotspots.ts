/**
 * E12 hotspots, decided before the write: N reports (default 3) within D days (default 7) on one
 * business, or on one village with one category, flag the still-open events of that group. The
 * new report counts itself; it is flagged at insert (with its own history line) when it can take
 * a flag, and `flagOthers` names the hot groups whose earlier open reports still wait for theirs,
 * each with its report count including the new one (the count their history line cites).
 */
export interface HotspotGroup {
  kind: 'business' | 'village_category';
  /** Reports already in the window, without the new one. */
  reports: number;
  /** Whether a still-open report of the group is not flagged yet. */
  unflaggedOpen: boolean;
}

/** A hot group and its report count with the new report. */
export interface HotFlag {
  kind: HotspotGroup['kind'];
  reports: number;
}

export function hotspotPlan(
  groups: readonly HotspotGroup[],
  threshold: number,
  newTakesFlag: boolean,
): { flagNew: HotFlag | null; flagOthers: HotFlag[] } {
  const hot = groups.filter((g) => g.reports + 1 >= threshold);
  return {
    flagNew: newTakesFlag && hot.length ? { kind: hot[0].kind, reports: hot[0].reports + 1 } : null,
    flagOthers: hot.filter((g) => g.unflaggedOpen).map((g) => ({ kind: g.kind, reports: g.reports + 1 })),
  };
}
