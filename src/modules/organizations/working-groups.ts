import type { AppContext } from '../../context.js';
import type { Actor } from '../../domain/access.js';
import { inScope } from '../../domain/access.js';
import { invalid, notFound } from '../../domain/errors.js';
import { checkGroupComposition, DEFAULT_DUTIES, POSITION_LABELS, type WorkingGroupPosition } from '../../domain/working-groups.js';
import { writeAudit } from '../audit/store.js';
import { findOrganizationRow, orgVisible } from './service.js';

export interface WorkingGroupInput {
  name: string;
  members: Array<{ userId: string; position: WorkingGroupPosition; duty?: string }>;
}

export async function listWorkingGroups(ctx: AppContext, actor: Actor, orgId: string) {
  const o = await findOrganizationRow(ctx.db, orgId);
  if (!o || !orgVisible(actor.scope, o)) throw notFound('organization', '机构');
  const groups = await ctx.db.selectFrom('working_groups').selectAll().where('organization_id', '=', o.id).orderBy('id').execute();
  if (!groups.length) return { items: [] };
  const members = await ctx.db
    .selectFrom('working_group_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.group_id', 'm.user_id', 'm.position', 'm.duty', 'u.display_name'])
    .where(
      'm.group_id',
      'in',
      groups.map((g) => g.id),
    )
    .execute();
  const order = Object.keys(POSITION_LABELS);
  return {
    items: groups.map((g) => ({
      id: String(g.id),
      organizationId: String(g.organization_id),
      name: g.name,
      members: members
        .filter((m) => m.group_id === g.id)
        .sort((a, b) => order.indexOf(a.position) - order.indexOf(b.position))
        .map((m) => ({
          userId: m.user_id,
          displayName: m.display_name,
          position: m.position,
          positionLabel: POSITION_LABELS[m.position as WorkingGroupPosition],
          duty: m.duty,
        })),
    })),
  };
}

/** H3: a bureau's 工作专班 — one leader, deputies, office …, each with the duty of seed 000 §一. */
export async function createWorkingGroup(ctx: AppContext, actor: Actor, orgId: string, input: WorkingGroupInput, ip?: string) {
  const problem = checkGroupComposition(input.members.map((m) => m.position));
  if (problem) {
    throw invalid(problem, 'members', '工作专班须有且仅有一名组长', 'a working group needs exactly one leader');
  }
  const id = await ctx.db.transaction().execute(async (trx) => {
    const o = await findOrganizationRow(trx, orgId);
    if (!o || !orgVisible(actor.scope, o)) throw notFound('organization', '机构');
    for (const [i, m] of input.members.entries()) {
      const u = await trx
        .selectFrom('users as u')
        .leftJoin('regions as r', 'r.id', 'u.region_id')
        .select(['u.id', 'r.path', 'u.organization_id'])
        .where('u.id', '=', m.userId)
        .executeTakeFirst();
      if (!u || !(u.organization_id === o.id || (u.path && inScope(actor.scope, u.path)))) {
        throw notFound('user', '用户', `members.${i}.userId`);
      }
    }
    const g = await trx.insertInto('working_groups').values({ organization_id: o.id, name: input.name }).returning('id').executeTakeFirstOrThrow();
    if (input.members.length) {
      await trx
        .insertInto('working_group_members')
        .values(input.members.map((m) => ({ group_id: g.id, user_id: m.userId, position: m.position, duty: m.duty ?? DEFAULT_DUTIES[m.position] })))
        .execute();
    }
    await writeAudit(trx, { action: 'working_group_created', actorId: actor.id, actorName: actor.username, entity: 'working_group', entityId: g.id, ip, detail: input });
    return g.id;
  });
  const all = await listWorkingGroups(ctx, actor, orgId);
  return all.items.find((g) => g.id === String(id))!;
}
