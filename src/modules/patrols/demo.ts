import { sql } from 'kysely';
import { newId } from '../../db/ids.js';
import type { Tx } from '../../context.js';
import { ASPECTS, monthOf, monthRange, type Aspect } from '../../domain/patrols.js';

/**
 * H5 demo data for P1/P2: three months of patrols by the grid workers of each business's grid, so
 * the coverage dashboards and the field app's "last patrolled" have something true to show.
 * Past months are mostly (not fully) covered; the current month is covered in proportion to the
 * days gone. About one patrol in twelve finds a problem, named by a catalogue item of its aspect.
 * Deterministic for a given `seed`. Call inside the demo loader's transaction, after businesses,
 * users and the catalogue exist.
 */
export async function seedDemoPatrols(trx: Tx, opts: { now: Date; months?: number; seed?: number }): Promise<{ patrols: number; items: number }> {
  let state = (opts.seed ?? 20240601) >>> 0;
  const rand = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const grids = (await sql<{ id: number; path: string }>`SELECT id, path FROM regions WHERE level = 'grid'`.execute(trx)).rows;
  const gridIds = new Set(grids.map((g) => g.id));
  const gridOf = (path: string) => path.split('/').map(Number).find((id) => gridIds.has(id)) ?? null;
  const workers = (
    await sql<{ id: string; role: string; path: string }>`SELECT u.id, u.role, r.path FROM users u JOIN regions r ON r.id = u.region_id
      WHERE u.role IN ('grid_member','unit_leader','grid_leader') AND NOT u.disabled`.execute(trx)
  ).rows;
  const byGrid = new Map<number, typeof workers>();
  for (const w of workers) {
    const g = gridOf(w.path);
    if (g == null) continue;
    const list = byGrid.get(g);
    if (list) list.push(w);
    else byGrid.set(g, [w]);
  }
  const items = (await sql<{ code: string; aspect: string; name: string }>`SELECT code, aspect, name FROM catalogue_items WHERE active`.execute(trx)).rows;
  const itemsByAspect = new Map<string, typeof items>();
  for (const i of items) itemsByAspect.set(i.aspect, [...(itemsByAspect.get(i.aspect) ?? []), i]);
  const businesses = (
    await sql<{ id: string; region_id: number; region_path: string }>`SELECT id, region_id, region_path FROM businesses WHERE status = 'operating' ORDER BY id`.execute(trx)
  ).rows;

  const months = opts.months ?? 3;
  const thisMonth = monthOf(opts.now);
  const patrolRows: any[] = [];
  const itemRows: any[] = [];
  for (let m = months - 1; m >= 0; m--) {
    const [y, mo] = thisMonth.split('-').map(Number);
    const d = new Date(Date.UTC(y, mo - 1 - m, 15));
    const { start, end } = monthRange(d.toISOString().slice(0, 7));
    const until = Math.min(end.getTime(), opts.now.getTime());
    const share = m === 0 ? 0.92 * ((until - start.getTime()) / (end.getTime() - start.getTime())) : 0.9 + rand() * 0.08;
    for (const b of businesses) {
      if (rand() > share) continue;
      const grid = gridOf(b.region_path);
      const staff = grid == null ? undefined : byGrid.get(grid);
      if (!staff?.length) continue;
      // The unit leader of the business's unit if there is one, else a grid member.
      const own = staff.filter((s) => s.role === 'unit_leader' && b.region_path.startsWith(s.path));
      const pool = own.length && rand() < 0.6 ? own : staff.filter((s) => s.role !== 'unit_leader');
      const who = (pool.length ? pool : staff)[Math.floor(rand() * (pool.length ? pool.length : staff.length))];
      // A day of the month so far, in office hours (09:00–17:00 China time; `start` is 00:00).
      const days = Math.max(1, Math.ceil((until - start.getTime()) / 86400_000));
      const at = new Date(start.getTime() + Math.floor(rand() * days) * 86400_000 + (9 + rand() * 8) * 3600_000);
      if (at.getTime() > opts.now.getTime()) continue;
      const id = newId();
      const failing: Aspect | null = rand() < 0.085 ? ASPECTS[Math.floor(rand() * ASPECTS.length)] : null;
      const candidates = failing ? itemsByAspect.get(failing) ?? [] : [];
      const item = candidates.length ? candidates[Math.floor(rand() * candidates.length)] : null;
      patrolRows.push({
        id,
        business_id: b.id,
        region_id: b.region_id,
        region_path: b.region_path,
        grid_id: grid,
        type: 'routine',
        channel: 'grid_patrol',
        patroller_id: who.id,
        patroller_role: who.role,
        organization_id: null,
        patrolled_at: at,
        passed: !failing,
        failed_count: failing ? 1 : 0,
        note: null,
        created_at: at,
      });
      ASPECTS.forEach((a, i) =>
        itemRows.push({
          patrol_id: id,
          seq: i + 1,
          aspect: a,
          item_code: a === failing && item ? item.code : null,
          passed: a !== failing,
          note: a === failing ? (item ? `现场发现：${item.name}` : '现场发现问题，已要求整改') : null,
        }),
      );
    }
  }
  // Column arrays through unnest: one statement per table, far faster than row VALUES lists.
  const col = <T>(rows: any[], k: string) => rows.map((r) => r[k] as T);
  if (patrolRows.length) {
    await sql`INSERT INTO patrols (id, business_id, region_id, region_path, grid_id, type, channel, patroller_id, patroller_role, patrolled_at, passed, failed_count, created_at)
      SELECT * FROM unnest(${col(patrolRows, 'id')}::uuid[], ${col(patrolRows, 'business_id')}::uuid[], ${col(patrolRows, 'region_id')}::bigint[],
        ${col(patrolRows, 'region_path')}::text[], ${col(patrolRows, 'grid_id')}::bigint[], ${col(patrolRows, 'type')}::text[], ${col(patrolRows, 'channel')}::text[],
        ${col(patrolRows, 'patroller_id')}::uuid[], ${col(patrolRows, 'patroller_role')}::text[], ${col<Date>(patrolRows, 'patrolled_at').map((d) => d.toISOString())}::timestamptz[],
        ${col(patrolRows, 'passed')}::boolean[], ${col(patrolRows, 'failed_count')}::int[], ${col<Date>(patrolRows, 'created_at').map((d) => d.toISOString())}::timestamptz[])`.execute(trx);
    await sql`INSERT INTO patrol_items (patrol_id, seq, aspect, item_code, passed, note)
      SELECT * FROM unnest(${col(itemRows, 'patrol_id')}::uuid[], ${col(itemRows, 'seq')}::int[], ${col(itemRows, 'aspect')}::text[],
        ${col(itemRows, 'item_code')}::text[], ${col(itemRows, 'passed')}::boolean[], ${col(itemRows, 'note')}::text[])`.execute(trx);
  }
  return { patrols: patrolRows.length, items: itemRows.length };
}
