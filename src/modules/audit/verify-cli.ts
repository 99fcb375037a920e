import { loadConfig } from '../../config.js';
import { openDatabase } from '../../db/open.js';
import { migrate } from '../../db/migrate.js';
import { sealAudit, verifyAudit } from './store.js';

/** `npm run audit:verify`: seal pending entries, then recompute the whole hash chain. Exit 1 if broken. */
const config = loadConfig();
const database = await openDatabase(config);
await migrate(database);
const sealed = await sealAudit(database.db);
const r = await verifyAudit(database.db);
await database.close();
if (r.ok) {
  console.log(`audit chain intact: ${r.checked} entries verified (${sealed} newly sealed)`);
} else {
  console.error(`audit chain BROKEN at chain_seq ${r.brokenAt!.chainSeq} (row ${r.brokenAt!.id}): ${r.brokenAt!.reason}; ${r.checked} entries verified before it`);
  process.exit(1);
}
