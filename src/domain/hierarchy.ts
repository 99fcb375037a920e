import { REGION_LEVELS, type RegionLevel } from './roles.js';
import { invalid } from './errors.js';

/**
 * Region paths are materialised: `/1/7/42/` lists the ids from the root to the node itself.
 * A subtree is every path starting with the node's path, so it is one index range scan.
 */
export function childPath(parentPath: string | null, id: number): string {
  return `${parentPath ?? '/'}${id}/`;
}

export function pathIds(path: string): number[] {
  return path
    .split('/')
    .filter(Boolean)
    .map((s) => Number(s));
}

export function isWithin(path: string, ancestorPath: string): boolean {
  return path.startsWith(ancestorPath);
}

export function depthOf(path: string): number {
  return pathIds(path).length - 1;
}

/** The id of the ancestor of `path` at depth `d` (0 = root), or undefined. */
export function ancestorAt(path: string, d: number): number | undefined {
  return pathIds(path)[d];
}

export function levelRank(level: RegionLevel): number {
  return REGION_LEVELS.indexOf(level);
}

/**
 * A child must sit strictly below its parent. Levels may be skipped only where real trees skip
 * them (a directly-administered city has no county level), so only "below" is enforced.
 */
export function checkChildLevel(parentLevel: RegionLevel | null, childLevel: RegionLevel): void {
  if (parentLevel === null) return;
  if (levelRank(childLevel) <= levelRank(parentLevel)) {
    throw invalid(
      'invalid_level',
      'level',
      `下级区域的层级必须低于上级（上级为 ${parentLevel}）`,
      `level must be below the parent's level (${parentLevel})`,
    );
  }
}

/** Collapse a set of jurisdiction paths to the minimal covering set (drop paths inside others). */
export function minimalCover(paths: string[]): string[] {
  const sorted = [...new Set(paths)].sort();
  const out: string[] = [];
  for (const p of sorted) if (!out.some((q) => p.startsWith(q))) out.push(p);
  return out;
}

export const DEFAULT_LEVEL_NAMES: Record<RegionLevel, { zh: string; en: string }> = {
  country: { zh: '全国', en: 'Country' },
  province: { zh: '省', en: 'Province' },
  city: { zh: '市', en: 'City' },
  county: { zh: '县区', en: 'County/district' },
  township: { zh: '乡镇街道', en: 'Township/street' },
  village: { zh: '村社区', en: 'Village/community' },
  grid: { zh: '网格', en: 'Grid' },
  unit: { zh: '单元', en: 'Unit' },
};
