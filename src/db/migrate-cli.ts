import { loadConfig } from '../config.js';
import { openDatabase } from './open.js';
import { migrate } from './migrate.js';

const config = loadConfig();
const database = await openDatabase(config);
const applied = await migrate(database, (m) => console.log(m));
console.log(applied.length ? `applied ${applied.length} migration(s)` : 'database is up to date');
await database.close();
