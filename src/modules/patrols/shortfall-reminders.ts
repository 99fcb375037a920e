import type { AppContext } from '../../context.js';
import type { Actor } from '../../domain/access.js';
import { chinaDay } from '../../domain/deadlines.js';
import { HAZARDS_REQUIRED_PER_MONTH, monthOf } from '../../domain/patrols.js';
import { notify, type Notice } from '../notifications/store.js';
import { writeAudit } from '../audit/store.js';
import { patrolCoverage } from './queries.js';

/** Day of the month (China time) on which grid workers are told what their grid still lacks. */
export const SHORTFALL_REMINDER_DAY = 20;

const SYSTEM: Actor = {
  id: '00000000-0000-0000-0000-000000000000',
  username: 'system',
  displayName: '系统',
  role: 'admin',
  regionId: null,
  organizationId: null,
  organizationType: null,
  scope: ['/'],
};

/**
 * P2 / S1: on the reminder day, every grid member and grid leader of a grid that is short of
 * 100 % coverage or of 2 hazard reports this month gets one notice saying what is missing, while
 * there is still time in the month. Run by the daily `patrols.shortfall` job (once across servers);
 * on other days it does nothing.
 */
export async function remindPatrolShortfalls(ctx: AppContext, opts: { force?: boolean } = {}): Promise<{ notices: number; grids: number }> {
  const now = ctx.now();
  if (!opts.force && Number(chinaDay(now).slice(8, 10)) !== SHORTFALL_REMINDER_DAY) return { notices: 0, grids: 0 };
  const month = monthOf(now);
  const roots = await ctx.db.selectFrom('regions').select('id').where('parent_id', 'is', null).execute();
  let notices = 0;
  let grids = 0;
  for (const root of roots) {
    const c = await patrolCoverage(ctx, SYSTEM, { regionId: String(root.id), month, detail: 'full' });
    const short = c.grids.filter((g) => g.coverageShort || g.hazardsShort);
    if (!short.length) continue;
    grids += short.length;
    const byGrid = new Map(short.map((g) => [g.gridId, g]));
    const list: Notice[] = [];
    for (const w of c.workers) {
      const g = byGrid.get(w.gridId);
      if (!g || w.role === 'unit_leader') continue;
      const parts: string[] = [];
      if (g.coverageShort) parts.push(`已巡查 ${g.patrolled}/${g.businesses} 家（覆盖率 ${g.coverage}%），还有 ${g.unpatrolled} 家未巡查`);
      if (g.hazardsShort) parts.push(`本月上报隐患 ${g.hazardReports} 条，要求不少于 ${HAZARDS_REQUIRED_PER_MONTH} 条`);
      list.push({
        userId: w.userId,
        kind: 'patrol_shortfall',
        title: `${month} 网格巡查任务提醒：${g.gridName}`,
        body: `${parts.join('；')}。请在月底前完成。`,
        link: `/patrols/coverage?regionId=${g.gridId}&month=${month}`,
      });
    }
    if (!list.length) continue;
    await ctx.db.transaction().execute(async (trx) => {
      for (let i = 0; i < list.length; i += 1000) await notify(trx, list.slice(i, i + 1000));
      await writeAudit(trx, { action: 'patrol_shortfall_reminded', entity: 'region', entityId: root.id, detail: { month, grids: short.length, notices: list.length } });
    });
    notices += list.length;
  }
  return { notices, grids };
}
