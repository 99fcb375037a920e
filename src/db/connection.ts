import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { createHash } from 'node:crypto';
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

/**
 * Kysely sends unnamed statements, which PostgreSQL parses and plans on every call; for the
 * short statements of a command (lookups, inserts) planning costs more than running them, and
 * intake's context read plans in 1.3 ms and runs in 0.6 ms (N3). Such statements are named
 * after a hash of their text, so each connection prepares them once and PostgreSQL may keep a
 * generic plan. Statements with LIKE (subtree prefix ranges) stay unnamed: a generic plan cannot
 * turn the parameter into an index range, a custom plan per call can. A statement must be one
 * command: a `;` in a line comment does not make a second one.
 */
export function preparable(text: string): boolean {
  const code = text.replace(/--[^\n]*/g, '');
  return !/\blike\b/i.test(code) && text.length < 8000 && !code.includes(';');
}

/** Statement names by text; bounded, as a text with inlined values could make many. */
const statementNames = new Map<string, string | null>();

function statementName(text: string): string | null {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = preparable(text) ? `k${createHash('sha1').update(text).digest('hex').slice(0, 20)}` : null;
    if (statementNames.size >= 5000) statementNames.clear();
    statementNames.set(text, name);
  }
  return name;
}

function preparingPool(pool: pg.Pool) {
  return {
    async connect() {
      const c = await pool.connect();
      return {
        query: (text: string, values: unknown[]) => {
          const name = statementName(text);
          return name ? c.query({ name, text, values }) : c.query(text, values);
        },
        release: (err?: Error | boolean) => c.release(err as any),
      };
    },
    end: () => pool.end(),
  };
}

export async function openPostgres(url: string, poolSize = 10): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  pool.on('error', () => {
    /* a dropped idle client is replaced on next use; health reports the outage */
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: preparingPool(pool) as any }) });
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
