import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PGlitePool } from './pglite-pool.js';
import type { DB } from './schema.js';

export type DbKind = 'pglite' | 'postgres';

export interface Database {
  kind: DbKind;
  db: Kysely<DB>;
  /** Runs a multi-statement SQL script (migrations); outside any Kysely transaction. */
  exec(script: string): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
  /** Underlying handle for benchmarks and the demo loader's bulk copy. */
  raw: { pglite?: PGlite; pool?: pg.Pool };
}

// One set of type parsers on both engines so rows look the same whichever database answers.
const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;
const toNumber = (v: string) => (v === null ? null : Number(v));
const identity = (v: string) => v;
pg.types.setTypeParser(INT8, toNumber as any);
pg.types.setTypeParser(NUMERIC, toNumber as any);
pg.types.setTypeParser(DATE, identity);

export async function openPostgres(url: string, poolSize = 10): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  pool.on('error', () => {
    /* a dropped idle client is replaced on next use; health reports the outage */
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    db,
    async exec(script) {
      const c = await pool.connect();
      try {
        await c.query(script);
      } finally {
        c.release();
      }
    },
    async ping() {
      try {
        const c = await pool.connect();
        try {
          await c.query('SELECT 1');
        } finally {
          c.release();
        }
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await db.destroy();
      // Kysely ends the pool only if it ever used it; end it ourselves otherwise.
      if (!(pool as any).ended) await pool.end();
    },
    raw: { pool },
  };
}

/** `dataDir` undefined = in-memory (tests). */
export async function openPglite(dataDir?: string, opts: { loadDataDir?: Blob } = {}): Promise<Database> {
  if (dataDir) fs.mkdirSync(path.dirname(path.resolve(dataDir)), { recursive: true });
  const pglite = await PGlite.create(dataDir, {
    extensions: { pg_trgm },
    loadDataDir: opts.loadDataDir,
    parsers: { [INT8]: toNumber as any, [NUMERIC]: toNumber as any, [DATE]: identity },
  });
  const pool = new PGlitePool(pglite);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: pool as any }) });
  let closed = false;
  return {
    kind: 'pglite',
    db,
    async exec(script) {
      const c = await pool.connect();
      try {
        await pglite.exec(script);
      } finally {
        c.release();
      }
    },
    async ping() {
      if (closed) return false;
      try {
        await sql`SELECT 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      await pglite.close();
    },
    raw: { pglite },
  };
}
