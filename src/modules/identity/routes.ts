import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { actorOf, SESSION_COOKIE } from '../../http/auth.js';
import { page, roleEnum, uuidString } from '../../http/schemas.js';
import { changePassword, login, logout } from './login.js';
import { createUser, getUser, listUsers, resetPassword, updateUser } from './users.js';
import { ROLE_LABELS } from '../../domain/roles.js';
import { sendXlsx, toXlsx } from '../../http/xlsx.js';

const phone = z.string().regex(/^[0-9+\- ]{3,20}$/, 'must be a phone number').nullable().optional();

export function identityRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/auth/login',
      {
        config: { public: true, rateLimit: { max: 30, timeWindow: '1 minute' } } as any,
        schema: {
          tags: ['auth'],
          summary: '登录 Sign in (token + httpOnly session cookie)',
          body: z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(200) }),
        },
      },
      async (req, reply) => {
        const r = await login(ctx, req.body.username, req.body.password, { ip: req.ip, userAgent: req.headers['user-agent'] });
        reply.setCookie(SESSION_COOKIE, r.token, {
          httpOnly: true,
          sameSite: 'lax',
          path: '/',
          secure: req.protocol === 'https',
          expires: r.expiresAt,
        });
        return { token: r.token, user: r.user, expiresAt: r.expiresAt.toISOString() };
      },
    );

    app.post('/api/v1/auth/logout', { config: { allowPendingPasswordChange: true }, schema: { tags: ['auth'], summary: '退出登录 Sign out' } }, async (req, reply) => {
      const actor = actorOf(req);
      await logout(ctx, req.tokenHash!, actor, req.ip);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true };
    });

    app.post(
      '/api/v1/auth/password',
      {
        config: { allowPendingPasswordChange: true },
        schema: {
          tags: ['auth'],
          summary: '修改密码 Change own password',
          body: z.object({ currentPassword: z.string().min(1).max(200), newPassword: z.string().min(1).max(200) }),
        },
      },
      async (req) => {
        await changePassword(ctx, actorOf(req), req.body.currentPassword, req.body.newPassword, req.tokenHash, req.ip);
        return { ok: true };
      },
    );

    app.get('/api/v1/me', { config: { allowPendingPasswordChange: true }, schema: { tags: ['auth'], summary: '当前用户 Current user' } }, async (req) => {
      const actor = actorOf(req);
      const user = await getUser(ctx, actor, actor.id);
      return { ...user, roleLabel: ROLE_LABELS[user.role], scope: actor.scope, organizationType: actor.organizationType };
    });

    app.get('/api/v1/roles', { config: { public: true }, schema: { tags: ['auth'], summary: '角色列表 Roles with labels' } }, async () => ({
      items: Object.entries(ROLE_LABELS).map(([code, l]) => ({ code, ...l })),
    }));

    app.post(
      '/api/v1/users',
      {
        config: { permission: 'users.write' },
        schema: {
          tags: ['users'],
          summary: '新建用户 Create a user (admin)',
          body: z.object({
            username: z.string().regex(/^[A-Za-z0-9_.@-]{3,64}$/, '3–64 letters, digits, _ . @ -'),
            password: z.string().min(1).max(200),
            displayName: z.string().trim().min(1).max(100),
            role: roleEnum,
            regionId: z.string().regex(/^\d+$/).nullable().optional(),
            organizationId: z.string().regex(/^\d+$/).nullable().optional(),
            phone,
            businessId: z.string().uuid().nullable().optional(),
          }),
        },
      },
      async (req, reply) => {
        const user = await createUser(ctx, actorOf(req), req.body, req.ip);
        return reply.status(201).send(user);
      },
    );

    app.get(
      '/api/v1/users',
      {
        config: { permission: 'users.read' },
        schema: {
          tags: ['users'],
          summary: '用户列表 Users in my jurisdiction (phones masked)',
          querystring: z.object({
            role: roleEnum.optional(),
            regionId: z.string().regex(/^\d+$/).optional(),
            organizationId: z.string().regex(/^\d+$/).optional(),
            q: z.string().max(100).optional(),
            ...page,
          }),
        },
      },
      async (req) => listUsers(ctx, actorOf(req), req.query),
    );

    app.get(
      '/api/v1/users/:id',
      { config: { permission: 'users.read' }, schema: { tags: ['users'], summary: '用户详情 A user', params: z.object({ id: z.string() }) } },
      async (req) => getUser(ctx, actorOf(req), req.params.id),
    );

    app.patch(
      '/api/v1/users/:id',
      {
        config: { permission: 'users.write' },
        schema: {
          tags: ['users'],
          summary: '修改/停用用户 Update or disable a user (admin)',
          params: z.object({ id: uuidString }),
          body: z.object({
            displayName: z.string().trim().min(1).max(100).optional(),
            phone,
            disabled: z.boolean().optional(),
            role: roleEnum.optional(),
            regionId: z.string().regex(/^\d+$/).nullable().optional(),
            organizationId: z.string().regex(/^\d+$/).nullable().optional(),
          }),
        },
      },
      async (req) => updateUser(ctx, actorOf(req), req.params.id, req.body, req.ip),
    );

    app.post(
      '/api/v1/users/:id/reset-password',
      {
        config: { permission: 'users.write' },
        schema: {
          tags: ['users'],
          summary: '重置密码 Reset a password (admin)',
          params: z.object({ id: uuidString }),
          body: z.object({ password: z.string().min(1).max(200) }),
        },
      },
      async (req) => {
        await resetPassword(ctx, actorOf(req), req.params.id, req.body.password, req.ip);
        return { ok: true };
      },
    );
    app.get(
      '/api/v1/users/export.xlsx',
      {
        config: { permission: 'users.read' },
        schema: {
          tags: ['users'],
          summary: '导出用户 Export the users I may see (.xlsx, phones masked)',
          querystring: z.object({ role: roleEnum.optional(), regionId: z.string().regex(/^\d+$/).optional(), organizationId: z.string().regex(/^\d+$/).optional(), q: z.string().max(100).optional() }),
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const items = [];
        let cursor: string | undefined;
        do {
          const page = await listUsers(ctx, actor, { ...req.query, limit: 1000, cursor });
          items.push(...page.items);
          cursor = page.nextCursor ?? undefined;
        } while (cursor && items.length < 200_000);
        const buf = await toXlsx('用户', [
          { header: '用户名', value: (u) => u.username },
          { header: '姓名', value: (u) => u.displayName },
          { header: '角色', value: (u) => ROLE_LABELS[u.role].zh },
          { header: '区域ID', value: (u) => u.regionId },
          { header: '机构ID', value: (u) => u.organizationId },
          { header: '电话', value: (u) => u.phone },
          { header: '状态', value: (u) => (u.disabled ? '停用' : '正常') },
        ], items);
        return sendXlsx(reply, '用户列表.xlsx', buf);
      },
    );
  };
}
