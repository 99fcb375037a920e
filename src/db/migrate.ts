import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Database } from './connection.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export function migrationFiles(): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort();
}

/**
 * Applies the numbered plain-SQL migrations not yet applied, each in its own transaction.
 * Forward-only. On a PostgreSQL server an advisory lock keeps two starting processes from
 * migrating at once.
 */
export async function migrate(database: Database, log: (m: string) => void = () => {}): Promise<string[]> {
  const applied: string[] = [];
  // On a server, hold one session for the whole run so the advisory lock and the scripts share it.
  const client = database.raw.pool ? await database.raw.pool.connect() : undefined;
  const run = async (script: string) => (client ? void (await client.query(script)) : database.exec(script));
  const query = async (q: string) =>
    client ? (await client.query(q)).rows : (await sql.raw(q).execute(database.db)).rows as any[];
  try {
    if (client) await run('SELECT pg_advisory_lock(4242001)');
    await run(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    );`);
    const done = new Set((await query('SELECT version FROM schema_migrations')).map((r: any) => r.version));
    for (const file of migrationFiles()) {
      const version = file.replace(/\.sql$/, '');
      if (done.has(version)) continue;
      const body = fs.readFileSync(path.join(dir, file), 'utf8');
      try {
        await run(`BEGIN;\n${body}\n;INSERT INTO schema_migrations(version) VALUES ('${version}');\nCOMMIT;`);
      } catch (e) {
        await run('ROLLBACK').catch(() => {});
        throw new Error(`migration ${version} failed: ${(e as Error).message}`);
      }
      applied.push(version);
      log(`migrated ${version}`);
    }
  } finally {
    if (client) {
      await client.query('SELECT pg_advisory_unlock(4242001)').catch(() => {});
      client.release();
    }
  }
  return applied;
}

/**
 * Runs start-up work (admin bootstrap, demo world) under a cluster-wide advisory lock, so that
 * several server processes starting at once on one PostgreSQL do it once (N2). The embedded
 * database has one process by construction.
 */
export async function withStartupLock<T>(database: Database, fn: () => Promise<T>): Promise<T> {
  if (!database.raw.pool) return fn();
  const client = await database.raw.pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(4242003)');
    return await fn();
  } finally {
    await client.query('SELECT pg_advisory_unlock(4242003)').catch(() => {});
    client.release();
  }
}
