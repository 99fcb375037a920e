import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { DomainError, unauthenticated, forbidden } from '../domain/errors.js';
import { can, type Actor, type Permission } from '../domain/access.js';
import { actorFromRow, findSessionActor } from '../modules/identity/store.js';

export const SESSION_COOKIE = 'fg_session';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    tokenHash: string | null;
  }
  interface FastifyContextConfig {
    /** No sign-in needed (public portal, login, health). */
    public?: boolean;
    /** Reachable while a password change is pending (me, change password, logout). */
    allowPendingPasswordChange?: boolean;
    /** Role permission the route requires, checked before the handler. */
    permission?: Permission;
  }
}

export function newToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function tokenFrom(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (h && /^Bearer\s+/i.test(h)) return h.replace(/^Bearer\s+/i, '').trim() || null;
  const c = req.cookies?.[SESSION_COOKIE];
  return c || null;
}

/** Resolves the caller on every request and enforces route-level auth and permission. */
export function registerAuth(app: FastifyInstance, ctx: AppContext) {
  app.decorateRequest('actor', null);
  app.decorateRequest('tokenHash', null);
  const idleMs = ctx.config.sessionIdleMinutes * 60_000;

  app.addHook('preHandler', async (req) => {
    const cfg = req.routeOptions.config ?? {};
    const token = tokenFrom(req);
    if (token) {
      const th = hashToken(token);
      const now = ctx.now();
      // Touch at most every 30 s: the idle timeout needs only coarse precision.
      const row = await findSessionActor(ctx.db, th, now, 30_000);
      if (row) {
        const idle = now.getTime() - new Date(row.last_seen_at).getTime() > idleMs;
        const expired = now.getTime() > new Date(row.expires_at).getTime();
        if (idle || expired || row.disabled) {
          await ctx.db.deleteFrom('sessions').where('token_hash', '=', th).execute();
          if (!cfg.public) throw unauthenticated('session_expired', '会话已超时，请重新登录', 'Session expired, sign in again');
        } else {
          req.actor = actorFromRow(row);
          req.tokenHash = th;
          (req as any).mustChangePassword = row.must_change_password;
        }
      }
    }
    if (cfg.public || req.is404 || req.url.startsWith('/api/docs')) return;
    if (!req.actor) {
      if (req.url.startsWith('/api/')) throw unauthenticated();
      return;
    }
    if ((req as any).mustChangePassword && !cfg.allowPendingPasswordChange) {
      throw new DomainError('forbidden', 'password_change_required', '首次登录须先修改初始密码', 'Change your initial password first');
    }
    if (cfg.permission && !can(req.actor.role, cfg.permission)) {
      throw forbidden('您的角色无权执行此操作', `role ${req.actor.role} may not do this`);
    }
  });
}

export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw unauthenticated();
  return req.actor;
}

export function clientIp(req: FastifyRequest): string {
  return req.ip;
}
