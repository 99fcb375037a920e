import type { Kysely, Transaction } from 'kysely';
import type { Config } from './config.js';
import type { Database } from './db/connection.js';
import type { DB } from './db/schema.js';

/** What every use case gets: configuration and the database. No globals. */
export interface AppContext {
  config: Config;
  database: Database;
  db: Kysely<DB>;
  /** Wall clock; tests may replace it. */
  now: () => Date;
}

export type Tx = Transaction<DB> | Kysely<DB>;
