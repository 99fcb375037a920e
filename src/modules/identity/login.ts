import type { AppContext } from '../../context.js';
import { DomainError, invalid, unauthenticated } from '../../domain/errors.js';
import { assertPassword } from '../../domain/password-policy.js';
import { newToken } from '../../http/auth.js';
import { writeAudit } from '../audit/store.js';
import { burnVerify, hashPassword, verifyPassword } from './passwords.js';
import { toUser, type User } from './store.js';

export interface LoginResult {
  token: string;
  expiresAt: Date;
  user: User;
}

const BAD = () => unauthenticated('invalid_credentials', '用户名或密码错误', 'Invalid username or password');

/**
 * I1 login with lockout: after N consecutive failures the account is locked for M minutes
 * (423), during which even the right password is refused. Unknown users and wrong passwords
 * get the same answer and take the same time.
 */
export async function login(ctx: AppContext, username: string, password: string, meta: { ip?: string; userAgent?: string }): Promise<LoginResult> {
  const now = ctx.now();
  const u = await ctx.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  if (!u) {
    await burnVerify(password);
    await writeAudit(ctx.db, { action: 'login_failed', actorName: username, ip: meta.ip, detail: { reason: 'unknown_user' } });
    throw BAD();
  }
  if (u.locked_until && new Date(u.locked_until) > now) {
    await writeAudit(ctx.db, { action: 'login_locked', actorId: u.id, actorName: u.username, ip: meta.ip });
    throw locked(new Date(u.locked_until));
  }
  const ok = await verifyPassword(u.password_hash, password);
  if (!ok || u.disabled) {
    const failures = await ctx.db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('users')
        .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1) }))
        .where('id', '=', u.id)
        .returning(['failed_logins'])
        .executeTakeFirstOrThrow();
      let lockedUntil: Date | null = null;
      if (r.failed_logins >= ctx.config.lockoutThreshold) {
        lockedUntil = new Date(now.getTime() + ctx.config.lockoutMinutes * 60_000);
        await trx.updateTable('users').set({ locked_until: lockedUntil, failed_logins: 0 }).where('id', '=', u.id).execute();
      }
      await writeAudit(trx, {
        action: lockedUntil ? 'login_lockout' : 'login_failed',
        actorId: u.id,
        actorName: u.username,
        ip: meta.ip,
        detail: { reason: u.disabled ? 'disabled' : 'bad_password', failures: r.failed_logins },
      });
      return lockedUntil;
    });
    if (failures) throw locked(failures);
    throw BAD();
  }
  const { token, hash } = newToken();
  const expiresAt = new Date(now.getTime() + ctx.config.sessionMaxHours * 3600_000);
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('sessions')
      .values({ token_hash: hash, user_id: u.id, created_at: now, last_seen_at: now, expires_at: expiresAt, ip: meta.ip ?? null, user_agent: meta.userAgent?.slice(0, 300) ?? null })
      .execute();
    await trx.updateTable('users').set({ failed_logins: 0, locked_until: null, last_login_at: now }).where('id', '=', u.id).execute();
    await writeAudit(trx, { action: 'login', actorId: u.id, actorName: u.username, ip: meta.ip });
  });
  return { token, expiresAt, user: toUser(u as any) };
}

function locked(until: Date) {
  return new DomainError('locked', 'account_locked', `登录失败次数过多，账号已锁定至 ${until.toISOString()}`, `Too many failed sign-ins; locked until ${until.toISOString()}`, undefined, {
    lockedUntil: until.toISOString(),
  });
}

export async function logout(ctx: AppContext, tokenHash: string, actor: { id: string; username: string }, ip?: string) {
  await ctx.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
    await writeAudit(trx, { action: 'logout', actorId: actor.id, actorName: actor.username, ip });
  });
}

export async function changePassword(
  ctx: AppContext,
  actor: { id: string; username: string },
  currentPassword: string,
  newPassword: string,
  keepTokenHash: string | null,
  ip?: string,
) {
  const u = await ctx.db.selectFrom('users').select(['password_hash']).where('id', '=', actor.id).executeTakeFirstOrThrow();
  if (!(await verifyPassword(u.password_hash, currentPassword))) {
    throw invalid('wrong_password', 'currentPassword', '当前密码不正确', 'current password is wrong');
  }
  if (currentPassword === newPassword) throw invalid('same_password', 'newPassword', '新密码不能与当前密码相同', 'new password must differ from the current one');
  assertPassword(newPassword, actor.username, 'newPassword');
  const hash = await hashPassword(newPassword);
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ password_hash: hash, must_change_password: false, password_changed_at: ctx.now() }).where('id', '=', actor.id).execute();
    // Other sessions of this account end with the old password.
    let q = trx.deleteFrom('sessions').where('user_id', '=', actor.id);
    if (keepTokenHash) q = q.where('token_hash', '!=', keepTokenHash);
    await q.execute();
    await writeAudit(trx, { action: 'password_changed', actorId: actor.id, actorName: actor.username, entity: 'user', entityId: actor.id, ip });
  });
}
