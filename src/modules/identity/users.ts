import { sql } from 'kysely';
import { newId } from '../../db/ids.js';
import type { AppContext, Tx } from '../../context.js';
import type { Actor } from '../../domain/access.js';
import { inScope } from '../../domain/access.js';
import { conflict, invalid, notFound } from '../../domain/errors.js';
import { assertPassword } from '../../domain/password-policy.js';
import type { Role } from '../../domain/roles.js';
import { writeAudit } from '../audit/store.js';
import { getRegionInScope, likePrefix } from '../regions/store.js';
import { hashPassword } from './passwords.js';
import { toUser, type User, type UserRow } from './store.js';

export interface CreateUserInput {
  username: string;
  password: string;
  displayName: string;
  role: Role;
  regionId?: string | null;
  organizationId?: string | null;
  phone?: string | null;
  /** Role business: the business the account speaks for. */
  businessId?: string | null;
}

const USER_COLS = ['u.id', 'u.username', 'u.display_name', 'u.role', 'u.region_id', 'u.organization_id', 'u.phone', 'u.disabled', 'u.must_change_password'] as const;

async function checkPlacement(trx: Tx, actor: Actor, regionId?: string | null, organizationId?: string | null) {
  if (regionId != null) await getRegionInScope(trx, regionId, actor.scope, 'regionId');
  if (organizationId != null) {
    const o = await trx
      .selectFrom('organizations as o')
      .innerJoin('regions as r', 'r.id', 'o.region_id')
      .select(['o.id', 'r.path'])
      .where('o.id', '=', Number(organizationId) || -1)
      .executeTakeFirst();
    if (!o || !inScope(actor.scope, o.path)) throw notFound('organization', '机构', 'organizationId');
  }
}

/**
 * I1: accounts are created by an admin inside the admin's jurisdiction. Outside demo mode the
 * password given here is an initial one that must be changed at first sign-in.
 */
export async function createUser(ctx: AppContext, actor: Actor, input: CreateUserInput, ip?: string, opts: { forceChange?: boolean } = {}): Promise<User> {
  assertPassword(input.password, input.username);
  if (input.role !== 'admin' && input.regionId == null && input.organizationId == null && !input.businessId) {
    throw invalid('jurisdiction_required', 'regionId', '请指定所属区域或机构（决定管辖范围）', 'regionId or organizationId is required (it sets the jurisdiction)');
  }
  if (input.businessId && input.role !== 'business') {
    throw invalid('business_only', 'businessId', '只有经营者账号可以关联食品经营主体', 'only business accounts are linked to a business');
  }
  const hash = await hashPassword(input.password);
  return ctx.db.transaction().execute(async (trx) => {
    await checkPlacement(trx, actor, input.regionId, input.organizationId);
    let businessRegionId: number | null = null;
    if (input.businessId) {
      const b = await trx.selectFrom('businesses').select(['id', 'region_id', 'region_path']).where('id', '=', input.businessId).executeTakeFirst();
      if (!b || !inScope(actor.scope, b.region_path)) throw notFound('business', '经营主体', 'businessId');
      businessRegionId = b.region_id;
    }
    const exists = await trx.selectFrom('users').select('id').where('username', '=', input.username).executeTakeFirst();
    if (exists) throw conflict('username_taken', '用户名已存在', 'username already exists', 'username');
    const row = await trx
      .insertInto('users')
      .values({
        id: newId(),
        username: input.username,
        display_name: input.displayName,
        role: input.role,
        region_id: input.regionId == null ? businessRegionId : Number(input.regionId),
        business_id: input.businessId ?? null,
        organization_id: input.organizationId == null ? null : Number(input.organizationId),
        phone: input.phone ?? null,
        password_hash: hash,
        must_change_password: opts.forceChange ?? !ctx.config.demo,
      })
      .returning(['id', 'username', 'display_name', 'role', 'region_id', 'organization_id', 'phone', 'disabled', 'must_change_password', 'business_id'])
      .executeTakeFirstOrThrow();
    await writeAudit(trx, { action: 'user_created', actorId: actor.id, actorName: actor.username, entity: 'user', entityId: row.id, ip, detail: { username: row.username, role: row.role } });
    return toUser(row);
  });
}

export async function getUser(ctx: AppContext, actor: Actor, id: string): Promise<User> {
  const row = await findUserInScope(ctx.db, actor, id);
  if (!row) throw notFound('user', '用户');
  return toUser(row, { unmasked: actor.role === 'admin' || actor.id === id });
}

async function findUserInScope(db: Tx, actor: Actor, id: string): Promise<UserRow | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const r = await db
    .selectFrom('users as u')
    .leftJoin('regions as r', 'r.id', 'u.region_id')
    .leftJoin('organizations as o', 'o.id', 'u.organization_id')
    .leftJoin('regions as orr', 'orr.id', 'o.region_id')
    .select([...USER_COLS, sql<string | null>`COALESCE(r.path, orr.path)`.as('place')])
    .where('u.id', '=', id)
    .executeTakeFirst();
  if (!r) return undefined;
  const place = r.place ?? '/';
  if (!inScope(actor.scope, place) && actor.id !== id) return undefined;
  return r as UserRow;
}

export interface ListUsersQuery {
  role?: Role;
  regionId?: string;
  organizationId?: string;
  q?: string;
  limit: number;
  cursor?: string;
}

export async function listUsers(ctx: AppContext, actor: Actor, query: ListUsersQuery): Promise<{ items: User[]; nextCursor: string | null }> {
  // Scope on the user's home region, or the organisation's seat when the user has no region.
  const scopeSql = actor.scope.includes('/')
    ? sql`true`
    : sql`(${sql.join(
        actor.scope.map((p) => sql`COALESCE(r.path, orr.path) LIKE ${likePrefix(p)}`),
        sql` OR `,
      )})`;
  const conds = [scopeSql];
  if (query.role) conds.push(sql`u.role = ${query.role}`);
  if (query.organizationId) conds.push(sql`u.organization_id = ${Number(query.organizationId) || -1}`);
  if (query.regionId) {
    const reg = await getRegionInScope(ctx.db, query.regionId, actor.scope, 'regionId');
    conds.push(sql`COALESCE(r.path, orr.path) LIKE ${likePrefix(reg.path)}`);
  }
  if (query.q) conds.push(sql`(u.username ILIKE ${'%' + query.q + '%'} OR u.display_name ILIKE ${'%' + query.q + '%'})`);
  if (query.cursor) conds.push(sql`u.username > ${query.cursor}`);
  const rows = (
    await sql<UserRow>`
    SELECT u.id, u.username, u.display_name, u.role, u.region_id, u.organization_id, u.phone, u.disabled, u.must_change_password
      FROM users u LEFT JOIN regions r ON r.id = u.region_id
      LEFT JOIN organizations o ON o.id = u.organization_id LEFT JOIN regions orr ON orr.id = o.region_id
     WHERE ${sql.join(conds, sql` AND `)}
     ORDER BY u.username LIMIT ${query.limit + 1}`.execute(ctx.db)
  ).rows;
  const more = rows.length > query.limit;
  const page = rows.slice(0, query.limit);
  return { items: page.map((r) => toUser(r)), nextCursor: more ? page[page.length - 1].username : null };
}

export interface UpdateUserInput {
  displayName?: string;
  phone?: string | null;
  disabled?: boolean;
  role?: Role;
  regionId?: string | null;
  organizationId?: string | null;
}

export async function updateUser(ctx: AppContext, actor: Actor, id: string, input: UpdateUserInput, ip?: string): Promise<User> {
  return ctx.db.transaction().execute(async (trx) => {
    const existing = await findUserInScope(trx, actor, id);
    if (!existing) throw notFound('user', '用户');
    if (id === actor.id && (input.disabled || (input.role && input.role !== actor.role))) {
      throw invalid('self_change', input.disabled ? 'disabled' : 'role', '不能停用自己的账号或更改自己的角色', 'you cannot disable yourself or change your own role');
    }
    await checkPlacement(trx, actor, input.regionId, input.organizationId);
    const set: Record<string, unknown> = {};
    if (input.displayName !== undefined) set.display_name = input.displayName;
    if (input.phone !== undefined) set.phone = input.phone;
    if (input.disabled !== undefined) set.disabled = input.disabled;
    if (input.role !== undefined) set.role = input.role;
    if (input.regionId !== undefined) set.region_id = input.regionId == null ? null : Number(input.regionId);
    if (input.organizationId !== undefined) set.organization_id = input.organizationId == null ? null : Number(input.organizationId);
    if (!Object.keys(set).length) throw invalid('empty_update', undefined, '没有要修改的内容', 'nothing to update');
    const row = await trx
      .updateTable('users')
      .set(set)
      .where('id', '=', id)
      .returning(['id', 'username', 'display_name', 'role', 'region_id', 'organization_id', 'phone', 'disabled', 'must_change_password'])
      .executeTakeFirstOrThrow();
    if (input.disabled) await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
    await writeAudit(trx, { action: 'user_updated', actorId: actor.id, actorName: actor.username, entity: 'user', entityId: id, ip, detail: { fields: Object.keys(input) } });
    return toUser(row);
  });
}

/** Admin reset: a new initial password, changed at next sign-in (outside demo mode); sessions end. */
export async function resetPassword(ctx: AppContext, actor: Actor, id: string, password: string, ip?: string): Promise<void> {
  const hash = await hashPassword(password);
  await ctx.db.transaction().execute(async (trx) => {
    const existing = await findUserInScope(trx, actor, id);
    if (!existing) throw notFound('user', '用户');
    assertPassword(password, existing.username);
    await trx
      .updateTable('users')
      .set({ password_hash: hash, must_change_password: !ctx.config.demo, failed_logins: 0, locked_until: null, password_changed_at: ctx.now() })
      .where('id', '=', id)
      .execute();
    await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
    await writeAudit(trx, { action: 'password_reset', actorId: actor.id, actorName: actor.username, entity: 'user', entityId: id, ip });
  });
}
