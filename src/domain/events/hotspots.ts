/**
 * E12 hotspots, decided before the write: N reports (default 3) within D days (default 7) on one
 * business, or on one village with one category, flag the still-open events of that group. The
 * new report counts itself; it is flagged at insert (with its own history line) when it can take
 * a flag, and `flagOthers` says whether earlier reports of a hot group still wait for theirs.
 */
export interface HotspotGroup {
  kind: 'business' | 'village_category';
  /** Reports already in the window, without the new one. */
  reports: number;
  /** Whether a still-open report of the group is not flagged yet. */
  unflaggedOpen: boolean;
}

export function hotspotPlan(
  groups: readonly HotspotGroup[],
  threshold: number,
  newTakesFlag: boolean,
): { flagNew: { kind: HotspotGroup['kind']; reports: number } | null; flagOthers: boolean } {
  const hot = groups.filter((g) => g.reports + 1 >= threshold);
  return {
    flagNew: newTakesFlag && hot.length ? { kind: hot[0].kind, reports: hot[0].reports + 1 } : null,
    flagOthers: hot.some((g) => g.unflaggedOpen),
  };
}
