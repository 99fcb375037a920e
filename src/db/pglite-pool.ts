import type { PGlite } from '@electric-sql/pglite';

/**
 * Presents an in-process PGlite as the `pg`-style pool Kysely's PostgresDialect expects.
 *
 * PGlite has exactly one session, so the "pool" hands out a single connection at a time: a
 * transaction owns the session until it commits, and every other query waits its turn. This is
 * what serialises transactions in embedded mode. A waiter that cannot get the session in
 * `acquireTimeoutMs` fails loudly, since that almost always means code inside a transaction is
 * querying through the root handle instead of the transaction.
 */
export class PGlitePool {
  private busy = false;
  private waiters: Array<() => void> = [];
  constructor(
    private readonly pg: PGlite,
    private readonly acquireTimeoutMs = 60_000,
  ) {}

  async connect() {
    if (this.busy) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== grant);
          reject(new Error('embedded database busy: a transaction holds the only session (query outside its transaction?)'));
        }, this.acquireTimeoutMs);
        const grant = () => {
          clearTimeout(timer);
          resolve();
        };
        this.waiters.push(grant);
      });
    }
    this.busy = true;
    const pg = this.pg;
    let released = false;
    return {
      query: async (sql: string, params: unknown[]) => {
        const res = await pg.query(sql, params as any[], { rowMode: 'object' });
        const command = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? '';
        return { command, rowCount: res.affectedRows ?? 0, rows: res.rows as any[] };
      },
      release: () => {
        if (released) return;
        released = true;
        const next = this.waiters.shift();
        if (next) next();
        else this.busy = false;
      },
    };
  }

  async end() {
    /* the PGlite instance is closed by its owner */
  }
}
