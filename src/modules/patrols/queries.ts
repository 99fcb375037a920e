import { sql } from 'kysely';
import type { AppContext } from '../../context.js';
import type { Actor } from '../../domain/access.js';
import { invalid, notFound } from '../../domain/errors.js';
import {
  assessGrid,
  coveragePercent,
  COVERAGE_TARGET_PERCENT,
  HAZARDS_REQUIRED_PER_MONTH,
  monthOf,
  monthRange,
} from '../../domain/patrols.js';
import { getRegionInScope, likePrefix, scopeCondition } from '../regions/store.js';
import { decodeCursor, encodeCursor, loadPatrol, stripRow, toPatrolJson, type PatrolJson } from './store.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function getPatrol(ctx: AppContext, actor: Actor, id: string): Promise<PatrolJson> {
  return stripRow(await loadPatrol(ctx.db, id, actor));
}

/** The region the caller asked for (in scope, else 404), or the caller's own. */
async function regionPrefix(ctx: AppContext, actor: Actor, regionId?: string) {
  if (regionId) return getRegionInScope(ctx.db, regionId, actor.scope, 'regionId');
  if (actor.regionId != null) return getRegionInScope(ctx.db, actor.regionId, actor.scope, 'regionId');
  return null;
}

export interface ListQuery {
  businessId?: string;
  regionId?: string;
  patrollerId?: string;
  type?: string;
  passed?: boolean;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

/** Patrols in the caller's jurisdiction, newest first (P1; B5 business history). */
export async function listPatrols(ctx: AppContext, actor: Actor, q: ListQuery): Promise<{ items: PatrolJson[]; nextCursor: string | null }> {
  const conds = [scopeCondition('p.region_path', actor.scope)];
  if (q.regionId) {
    const r = await getRegionInScope(ctx.db, q.regionId, actor.scope, 'regionId');
    conds.push(sql<boolean>`p.region_path LIKE ${likePrefix(r.path)}`);
  }
  if (q.businessId) {
    if (!UUID_RE.test(q.businessId)) throw notFound('business', '食品经营主体', 'businessId');
    conds.push(sql<boolean>`p.business_id = ${q.businessId}`);
  }
  if (q.patrollerId) {
    if (!UUID_RE.test(q.patrollerId)) throw invalid('invalid_parameter', 'patrollerId', '巡查人员编号无效', 'patrollerId must be a user id');
    conds.push(sql<boolean>`p.patroller_id = ${q.patrollerId}`);
  }
  if (q.type) conds.push(sql<boolean>`p.type = ${q.type}`);
  if (q.passed !== undefined) conds.push(sql<boolean>`p.passed = ${q.passed}`);
  if (q.from) conds.push(sql<boolean>`p.patrolled_at >= ${new Date(q.from)}`);
  if (q.to) conds.push(sql<boolean>`p.patrolled_at < ${new Date(q.to)}`);
  if (q.cursor) {
    const [at, id] = decodeCursor(q.cursor);
    const d = new Date(String(at));
    if (Number.isNaN(d.getTime()) || typeof id !== 'string' || !UUID_RE.test(id)) throw invalid('invalid_cursor', 'cursor', '分页游标无效', 'cursor is invalid');
    conds.push(sql<boolean>`(p.patrolled_at, p.id) < (${d}, ${id}::uuid)`);
  }
  const rows = (
    await sql<any>`SELECT p.*, b.name AS business_name, u.display_name AS patroller_name
      FROM patrols p JOIN businesses b ON b.id = p.business_id JOIN users u ON u.id = p.patroller_id
      WHERE ${sql.join(conds, sql` AND `)}
      ORDER BY p.patrolled_at DESC, p.id DESC LIMIT ${q.limit + 1}`.execute(ctx.db)
  ).rows;
  const page = rows.slice(0, q.limit);
  const ids = page.map((r) => r.id);
  const items = ids.length
    ? await ctx.db
        .selectFrom('patrol_items as i')
        .leftJoin('catalogue_items as c', 'c.code', 'i.item_code')
        .selectAll('i')
        .select('c.name as item_name')
        .where('i.patrol_id', 'in', ids)
        .execute()
    : [];
  const last = page[page.length - 1];
  return {
    items: page.map((r) =>
      toPatrolJson(
        r,
        items.filter((i) => i.patrol_id === r.id),
        { businessName: r.business_name, patrollerName: r.patroller_name },
      ),
    ),
    nextCursor: rows.length > q.limit && last ? encodeCursor([new Date(last.patrolled_at).toISOString(), last.id]) : null,
  };
}

/**
 * Last patrol of every business in a region (the field app shows "last patrolled" per business),
 * never-patrolled businesses included with null, with this month's patrol count.
 */
export async function lastPatrols(ctx: AppContext, actor: Actor, q: { regionId?: string; limit: number; cursor?: string }) {
  const region = await regionPrefix(ctx, actor, q.regionId);
  const conds = [scopeCondition('b.region_path', actor.scope)];
  if (region) conds.push(sql<boolean>`b.region_path LIKE ${likePrefix(region.path)}`);
  if (q.cursor) {
    const [id] = decodeCursor(q.cursor);
    if (typeof id !== 'string' || !UUID_RE.test(id)) throw invalid('invalid_cursor', 'cursor', '分页游标无效', 'cursor is invalid');
    conds.push(sql<boolean>`b.id > ${id}::uuid`);
  }
  const { start } = monthRange(monthOf(ctx.now()));
  const rows = (
    await sql<{ id: string; name: string; region_id: number; status: string; patrol_id: string | null; patrolled_at: Date | null; passed: boolean | null; month_count: number }>`
      SELECT b.id, b.name, b.region_id, b.status, lp.id AS patrol_id, lp.patrolled_at, lp.passed,
        (SELECT count(*)::int FROM patrols m WHERE m.business_id = b.id AND m.patrolled_at >= ${start}) AS month_count
      FROM businesses b
      LEFT JOIN LATERAL (
        SELECT p.id, p.patrolled_at, p.passed FROM patrols p WHERE p.business_id = b.id ORDER BY p.patrolled_at DESC, p.id DESC LIMIT 1
      ) lp ON true
      WHERE ${sql.join(conds, sql` AND `)}
      ORDER BY b.id LIMIT ${q.limit + 1}`.execute(ctx.db)
  ).rows;
  const page = rows.slice(0, q.limit);
  return {
    items: page.map((r) => ({
      businessId: r.id,
      businessName: r.name,
      regionId: String(r.region_id),
      status: r.status,
      lastPatrolId: r.patrol_id,
      lastPatrolAt: r.patrolled_at ? new Date(r.patrolled_at).toISOString() : null,
      lastPassed: r.passed,
      patrolsThisMonth: r.month_count,
    })),
    nextCursor: rows.length > q.limit ? encodeCursor([page[page.length - 1].id]) : null,
  };
}

/**
 * The grid a path lies in: the first id on the path that is one of the grids. Done in memory
 * from the grid list, because joining `regions` on the path's ids per row is slow without
 * statistics (a fresh embedded database) — P2 has to answer for a whole city at once.
 */
function gridFinder(gridIds: Set<number>) {
  const cache = new Map<string, number | null>();
  return (path: string): number | null => {
    let g = cache.get(path);
    if (g !== undefined) return g;
    g = null;
    for (const part of path.split('/')) {
      if (part && gridIds.has(Number(part))) {
        g = Number(part);
        break;
      }
    }
    cache.set(path, g);
    return g;
  };
}

const WORKER_ROLES = ['grid_member', 'unit_leader', 'grid_leader'];
const UNPATROLLED_LIST_MAX = 100;

/**
 * P2 coverage of a month under a region: per grid the operating businesses, how many were
 * patrolled, coverage %, hazard reports (grid-patrol events of the grid, duplicates and rejected
 * ones excluded); per grid worker their share; and the shortfall lists — grids below 100 %
 * (with the businesses still to visit) and grids with fewer than 2 hazard reports (S1).
 */
/** Above this many grids (a county or city) per-worker rows are left out unless asked for. */
const WORKER_DETAIL_MAX_GRIDS = 500;

export async function patrolCoverage(ctx: AppContext, actor: Actor, q: { regionId?: string; month?: string; detail?: 'auto' | 'full' | 'grids' }) {
  const region = await regionPrefix(ctx, actor, q.regionId);
  if (!region) throw invalid('missing_parameter', 'regionId', '请选择区域', 'regionId is required');
  const month = q.month ?? monthOf(ctx.now());
  const { start, end } = monthRange(month);
  const prefix = likePrefix(region.path);
  const scope = scopeCondition('b.region_path', actor.scope);

  // Grids under the region, or the grid the region lies in (a unit).
  const grids = (
    await sql<{ id: number; name: string; path: string }>`SELECT id, name, path FROM regions
      WHERE level = 'grid' AND (path LIKE ${prefix} OR ${region.path} LIKE (path || '%'))
      ORDER BY path`.execute(ctx.db)
  ).rows;

  const gridOf = gridFinder(new Set(grids.map((g) => g.id)));

  const businessRows = (
    await sql<{ id: string; name: string; region_path: string; patrolled: boolean }>`
      SELECT b.id, b.name, b.region_path,
        EXISTS (SELECT 1 FROM patrols p WHERE p.business_id = b.id AND p.patrolled_at >= ${start} AND p.patrolled_at < ${end}) AS patrolled
      FROM businesses b
      WHERE b.region_path LIKE ${prefix} AND b.status = 'operating' AND ${scope}
      ORDER BY b.name`.execute(ctx.db)
  ).rows
    .map((b) => ({ ...b, grid_id: gridOf(b.region_path) }))
    .filter((b): b is typeof b & { grid_id: number } => b.grid_id != null);

  const hazardRows = (
    await sql<{ region_path: string; collector_id: string | null; n: number }>`
      SELECT e.region_path, e.collector_id, count(*)::int AS n
      FROM events e
      WHERE e.region_path LIKE ${prefix} AND e.channel = 'grid_patrol'
        AND e.created_at >= ${start} AND e.created_at < ${end}
        AND e.state NOT IN ('merged', 'rejected')
      GROUP BY e.region_path, e.collector_id`.execute(ctx.db)
  ).rows
    .map((h) => ({ ...h, grid_id: gridOf(h.region_path) }))
    .filter((h): h is typeof h & { grid_id: number } => h.grid_id != null);

  const detail = q.detail ?? 'auto';
  const withWorkers = detail === 'full' || (detail === 'auto' && grids.length <= WORKER_DETAIL_MAX_GRIDS);
  const workerRows = (
    !withWorkers ? { rows: [] as { id: string; display_name: string; role: string; region_id: number; region_path: string }[] } : await sql<{ id: string; display_name: string; role: string; region_id: number; region_path: string }>`
      SELECT u.id, u.display_name, u.role, u.region_id, r.path AS region_path
      FROM users u JOIN regions r ON r.id = u.region_id
      WHERE u.role IN (${sql.join(WORKER_ROLES)}) AND NOT u.disabled AND r.path LIKE ${prefix}
      ORDER BY u.display_name`.execute(ctx.db)
  ).rows
    .map((w) => ({ ...w, grid_id: gridOf(w.region_path) }))
    .filter((w): w is typeof w & { grid_id: number } => w.grid_id != null);

  const patrolRows = (
    await sql<{ patroller_id: string; patrols: number; businesses: number }>`
      SELECT p.patroller_id, count(*)::int AS patrols, count(DISTINCT p.business_id)::int AS businesses
      FROM patrols p
      WHERE p.region_path LIKE ${prefix} AND p.patrolled_at >= ${start} AND p.patrolled_at < ${end}
      GROUP BY p.patroller_id`.execute(ctx.db)
  ).rows;
  const byPatroller = new Map(patrolRows.map((r) => [r.patroller_id, r]));
  const bizByGrid = new Map<number, typeof businessRows>();
  for (const b of businessRows) {
    const list = bizByGrid.get(b.grid_id);
    if (list) list.push(b);
    else bizByGrid.set(b.grid_id, [b]);
  }
  const hazardsByGrid = new Map<number, number>();
  const hazardsByCollector = new Map<string, number>();
  for (const h of hazardRows) {
    hazardsByGrid.set(h.grid_id, (hazardsByGrid.get(h.grid_id) ?? 0) + h.n);
    if (h.collector_id) hazardsByCollector.set(h.collector_id, (hazardsByCollector.get(h.collector_id) ?? 0) + h.n);
  }

  const workers = workerRows.map((w) => {
    // A unit leader answers for the unit, grid members and leaders for the whole grid.
    const inGrid = bizByGrid.get(w.grid_id) ?? [];
    const area = w.role === 'unit_leader' ? inGrid.filter((b) => b.region_path.startsWith(w.region_path)) : inGrid;
    const areaPatrolled = area.filter((b) => b.patrolled).length;
    const hazardReports = hazardsByCollector.get(w.id) ?? 0;
    const mine = byPatroller.get(w.id);
    const coverage = coveragePercent(area.length, areaPatrolled);
    return {
      userId: w.id,
      displayName: w.display_name,
      role: w.role,
      regionId: String(w.region_id),
      gridId: String(w.grid_id),
      patrols: mine?.patrols ?? 0,
      businessesPatrolled: mine?.businesses ?? 0,
      areaBusinesses: area.length,
      areaPatrolled,
      coverage,
      coverageShort: coverage < COVERAGE_TARGET_PERCENT,
      hazardReports,
    };
  });

  const gridJson = grids.map((g) => {
    const biz = bizByGrid.get(g.id) ?? [];
    const patrolled = biz.filter((b) => b.patrolled).length;
    const hazardReports = hazardsByGrid.get(g.id) ?? 0;
    const a = assessGrid({ businesses: biz.length, patrolled, hazardReports });
    return {
      gridId: String(g.id),
      gridName: g.name,
      path: g.path.split('/').filter(Boolean),
      businesses: biz.length,
      patrolled,
      coverage: a.coverage,
      hazardReports,
      coverageShort: a.coverageShort,
      hazardsShort: a.hazardsShort,
      unpatrolled: a.unpatrolled,
      hazardsMissing: a.hazardsMissing,
      _unpatrolled: biz.filter((b) => !b.patrolled),
    };
  });

  // Per township (乡镇街道): what a county or city leader compares first.
  const townships = (
    await sql<{ id: number; name: string; path: string }>`SELECT id, name, path FROM regions
      WHERE level = 'township' AND (path LIKE ${prefix} OR ${region.path} LIKE (path || '%'))
      ORDER BY path`.execute(ctx.db)
  ).rows;
  const townshipOf = gridFinder(new Set(townships.map((t) => t.id)));
  const townshipJson = townships.map((t) => ({
    townshipId: String(t.id),
    name: t.name,
    grids: 0,
    businesses: 0,
    patrolled: 0,
    coverage: 100,
    hazardReports: 0,
    gridsCoverageShort: 0,
    gridsHazardsShort: 0,
  }));
  const townshipById = new Map(townshipJson.map((t) => [Number(t.townshipId), t]));
  for (const g of gridJson) {
    const tw = townshipById.get(townshipOf('/' + g.path.join('/') + '/') ?? -1);
    if (!tw) continue;
    tw.grids++;
    tw.businesses += g.businesses;
    tw.patrolled += g.patrolled;
    tw.hazardReports += g.hazardReports;
    if (g.coverageShort) tw.gridsCoverageShort++;
    if (g.hazardsShort) tw.gridsHazardsShort++;
  }
  for (const tw of townshipJson) tw.coverage = coveragePercent(tw.businesses, tw.patrolled);

  const workersByGrid = new Map<string, typeof workers>();
  for (const wk of workers) {
    const list = workersByGrid.get(wk.gridId);
    if (list) list.push(wk);
    else workersByGrid.set(wk.gridId, [wk]);
  }
  const workersOf = (gridId: string) => workersByGrid.get(gridId) ?? [];
  const totals = {
    grids: gridJson.length,
    businesses: businessRows.length,
    patrolled: businessRows.filter((b) => b.patrolled).length,
    coverage: coveragePercent(businessRows.length, businessRows.filter((b) => b.patrolled).length),
    hazardReports: hazardRows.reduce((s, h) => s + h.n, 0),
    gridsCoverageShort: gridJson.filter((g) => g.coverageShort).length,
    gridsHazardsShort: gridJson.filter((g) => g.hazardsShort).length,
  };
  return {
    regionId: String(region.id),
    month,
    from: start.toISOString(),
    to: end.toISOString(),
    targets: { coveragePercent: COVERAGE_TARGET_PERCENT, hazardReportsPerGrid: HAZARDS_REQUIRED_PER_MONTH },
    totals,
    townships: townshipJson,
    grids: gridJson.map(({ _unpatrolled, ...g }) => g),
    /** false for large regions unless `detail=full`: choose a township for the workers. */
    workersIncluded: withWorkers,
    workers,
    shortfalls: {
      coverage: gridJson
        .filter((g) => g.coverageShort)
        .map((g) => ({
          gridId: g.gridId,
          gridName: g.gridName,
          businesses: g.businesses,
          patrolled: g.patrolled,
          coverage: g.coverage,
          unpatrolledBusinesses: g._unpatrolled.slice(0, UNPATROLLED_LIST_MAX).map((b) => ({ id: b.id, name: b.name })),
          workers: workersOf(g.gridId).filter((w) => w.coverageShort),
        })),
      hazards: gridJson
        .filter((g) => g.hazardsShort)
        .map((g) => ({
          gridId: g.gridId,
          gridName: g.gridName,
          hazardReports: g.hazardReports,
          missing: g.hazardsMissing,
          workers: workersOf(g.gridId).map((w) => ({ userId: w.userId, displayName: w.displayName, role: w.role, hazardReports: w.hazardReports })),
        })),
    },
  };
}
