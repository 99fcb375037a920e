import path from 'node:path';
import type { Config } from '../config.js';
import { openPglite, openPostgres, type Database } from './connection.js';

export async function openDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir' | 'dbPool'>): Promise<Database> {
  if (config.databaseUrl) return openPostgres(config.databaseUrl, config.dbPool);
  return openPglite(path.join(config.dataDir, 'pgdata'));
}
