import { randomBytes } from 'node:crypto';
import { newId } from '../../db/ids.js';
import type { AppContext } from '../../context.js';
import { writeAudit } from '../audit/store.js';
import { hashPassword } from './passwords.js';
import { DEMO_PASSWORD } from '../../db/demo/accounts.js';

/**
 * API.md bootstrap: on an empty database an `admin` (whole tree) is created with
 * FOODGRID_ADMIN_PASSWORD, or a generated password printed once. Outside demo mode it must be
 * changed at first sign-in.
 */
export async function ensureAdmin(ctx: AppContext, print: (m: string) => void = console.log): Promise<{ created: boolean; password?: string }> {
  const any = await ctx.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (any) return { created: false };
  // H5: in demo mode the admin shares the documented demo password unless one is configured.
  const generated = !ctx.config.adminPassword && !ctx.config.demo;
  const password = ctx.config.adminPassword ?? (ctx.config.demo ? DEMO_PASSWORD : `Fg-${randomBytes(9).toString('base64url')}`);
  const id = newId();
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('users')
      .values({
        id,
        username: 'admin',
        display_name: '系统管理员',
        role: 'admin',
        region_id: null,
        organization_id: null,
        password_hash: await hashPassword(password),
        must_change_password: !ctx.config.demo,
      })
      .onConflict((oc) => oc.column('username').doNothing())
      .execute();
    await writeAudit(trx, { action: 'admin_bootstrapped', entity: 'user', entityId: id });
  });
  if (generated) print(`[foodgrid] created user "admin" with generated password: ${password}  (shown once; change it after signing in)`);
  return { created: true, password };
}
