import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { actorOf } from '../../http/auth.js';
import { page, queryBool } from '../../http/schemas.js';
import { countUnread, listInbox, markAllRead, markRead } from './inbox.js';

/** The in-app inbox: the caller's own notifications only. */
export function notificationRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/notifications',
      {
        schema: {
          tags: ['notifications'],
          summary: '我的消息 My notifications (newest first)',
          querystring: z.object({ unread: queryBool.optional(), kind: z.string().max(64).optional(), ...page }),
        },
      },
      async (req) => listInbox(ctx, actorOf(req), req.query),
    );

    app.get('/api/v1/notifications/unread-count', { schema: { tags: ['notifications'], summary: '未读消息数 Unread count' } }, async (req) => ({
      count: await countUnread(ctx, actorOf(req)),
    }));

    app.post(
      '/api/v1/notifications/read-all',
      { schema: { tags: ['notifications'], summary: '全部标为已读 Mark all read' } },
      async (req) => ({ updated: await markAllRead(ctx, actorOf(req)) }),
    );

    app.post(
      '/api/v1/notifications/:id/read',
      { schema: { tags: ['notifications'], summary: '标为已读 Mark one read (someone else’s → 404)', params: z.object({ id: z.string().min(1).max(64) }) } },
      async (req) => markRead(ctx, actorOf(req), req.params.id),
    );
  };
}
