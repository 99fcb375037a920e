import type { AppContext } from '../../context.js';
import type { Actor } from '../../domain/access.js';
import { inScope, scopeOf } from '../../domain/access.js';
import { invalid, notFound } from '../../domain/errors.js';
import type { Role } from '../../domain/roles.js';
import { writeAudit } from '../audit/store.js';
import { getRegionInScope } from './store.js';

/** H4: the station staff assigned to a village (the "2" of 1+2+3+N). */
export async function listStationStaff(ctx: AppContext, actor: Actor, villageId: string) {
  const v = await getRegionInScope(ctx.db, villageId, actor.scope);
  const rows = await ctx.db
    .selectFrom('station_village_assignments as a')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .select(['u.id', 'u.display_name', 'u.username'])
    .where('a.village_id', '=', v.id)
    .orderBy('u.username')
    .execute();
  return { items: rows.map((r) => ({ userId: r.id, displayName: r.display_name, username: r.username })) };
}

/**
 * Seed 000 §五: every village gets 2 station staff (one staff member may cover several villages).
 * Each must be station staff whose jurisdiction covers the village.
 */
export async function setStationStaff(ctx: AppContext, actor: Actor, villageId: string, userIds: string[], ip?: string) {
  await ctx.db.transaction().execute(async (trx) => {
    const v = await getRegionInScope(trx, villageId, actor.scope);
    if (v.level !== 'village') throw invalid('not_a_village', 'villageId', '只能为村（社区）指定监管人员', 'station staff are assigned to villages');
    for (const [i, id] of userIds.entries()) {
      const u = await trx
        .selectFrom('users as u')
        .leftJoin('regions as r', 'r.id', 'u.region_id')
        .select(['u.id', 'u.role', 'r.path', 'u.organization_id'])
        .where('u.id', '=', id)
        .executeTakeFirst();
      if (!u) throw notFound('user', '用户', `userIds.${i}`);
      const orgPaths = u.organization_id
        ? (
            await trx
              .selectFrom('organization_jurisdictions as oj')
              .innerJoin('regions as r', 'r.id', 'oj.region_id')
              .select('r.path')
              .where('oj.organization_id', '=', u.organization_id)
              .execute()
          ).map((r) => r.path)
        : [];
      const userScope = scopeOf({ role: u.role as Role, regionPath: u.path, organizationJurisdictionPaths: orgPaths });
      if (u.role !== 'station_staff' || !inScope(userScope, v.path)) {
        throw invalid('not_station_staff_here', `userIds.${i}`, '须为管辖该村的市场监管所人员', 'must be station staff whose jurisdiction covers the village');
      }
    }
    await trx.deleteFrom('station_village_assignments').where('village_id', '=', v.id).execute();
    if (userIds.length) {
      await trx
        .insertInto('station_village_assignments')
        .values([...new Set(userIds)].map((user_id) => ({ user_id, village_id: v.id })))
        .execute();
    }
    await writeAudit(trx, { action: 'station_staff_assigned', actorId: actor.id, actorName: actor.username, entity: 'region', entityId: v.id, ip, detail: { userIds } });
  });
  return listStationStaff(ctx, actor, villageId);
}
