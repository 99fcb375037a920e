import { sql } from 'kysely';
import { newId } from '../../db/ids.js';
import type { AppContext, Tx } from '../../context.js';
import type { Actor } from '../../domain/access.js';
import { invalid, notFound } from '../../domain/errors.js';
import { pathIds } from '../../domain/hierarchy.js';
import type { RegionRow } from '../regions/store.js';
import { scopeCondition } from '../regions/store.js';
import { decodeText, findHeader, isNoiseRow, mapRow, parseCsv, readXlsx, FIELD_LABELS, type ParsedRow, type RowError, type SheetRow } from './import-parse.js';
import { checkFields, newBusinessRow, type BusinessFields } from './registry.js';
import { normalizeCode, toHalfWidth } from './rules.js';

/**
 * B4 import as a job. Every row is validated first (units resolved inside the caller's
 * jurisdiction, codes checked, duplicates found); if any row is bad nothing is written and the
 * job lists [{row, field, message}]. Otherwise all rows are written in ONE transaction. Small
 * files are answered at once; larger ones run in the background and the client polls the job.
 */
export const SYNC_ROW_LIMIT = 500;
const BATCH = 500;
const MAX_ROWS = 50_000;
const MAX_STORED_ERRORS = 2000;
/** A job not running in this process and older than this was interrupted (its transaction rolled back). */
const STALE_MS = 30 * 60_000;

/** Live progress of jobs running in this process (the job row is updated between phases). */
const live = new Map<string, { processed: number; status: string }>();

export interface ImportFile {
  fileName: string;
  mimeType?: string;
  buffer: Buffer;
}

export interface JobView {
  id: string;
  jobId: string;
  status: string;
  fileName: string;
  total: number;
  processed: number;
  imported: number;
  errors: RowError[];
  createdAt: string;
  finishedAt: string | null;
}

async function readRows(file: ImportFile): Promise<SheetRow[]> {
  const name = file.fileName.toLowerCase();
  const b = file.buffer;
  // By content first: browsers send odd MIME types, and staff rename files.
  const isZip = b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
  const isOle = b[0] === 0xd0 && b[1] === 0xcf && b[2] === 0x11 && b[3] === 0xe0;
  if (isOle || name.endsWith('.xls') || name.endsWith('.et')) {
    throw invalid('xls_not_supported', 'file', '暂不支持旧版 .xls/.et 文件，请在 Excel/WPS 中另存为 .xlsx 后导入', 'old .xls files are not supported: save as .xlsx');
  }
  if (isZip) return readXlsx(b);
  if (name.endsWith('.csv') || name.endsWith('.txt') || file.mimeType?.startsWith('text/') || file.mimeType === 'application/vnd.ms-excel') {
    return parseCsv(decodeText(b));
  }
  throw invalid('unsupported_file', 'file', '请上传 .xlsx 或 .csv 文件', 'upload an .xlsx or .csv file');
}

/** Parse the file, create the job, and either finish it now (small) or in the background. */
export async function startImport(
  ctx: AppContext,
  actor: Actor,
  file: ImportFile,
  ip?: string,
  english = false,
): Promise<{ status: number; body: unknown }> {
  const rows = await readRows(file);
  const header = findHeader(rows);
  if (!header) {
    throw invalid(
      'header_not_found',
      'file',
      '未找到表头：前30行中应有一行含「名称」「类型」「所属单元」等列（可下载导入模板）',
      'no header row found: one of the first 30 rows must name the columns (名称, 类型, 所属单元 …)',
    );
  }
  const missing = (['type', 'unit'] as const).filter((f) => ![...header.columns.values()].includes(f));
  if (missing.length) {
    const zh = missing.map((f) => FIELD_LABELS[f]).join('、');
    throw invalid('column_missing', 'file', `表头缺少必需的列：${zh}`, `the header lacks required columns: ${missing.join(', ')}`);
  }
  const data = rows.slice(header.index + 1).filter((r) => !isNoiseRow(r.cells));
  if (!data.length) throw invalid('empty_file', 'file', '文件中没有数据行', 'the file has no data rows');
  if (data.length > MAX_ROWS) throw invalid('too_many_rows', 'file', `单次最多导入${MAX_ROWS}行，请拆分文件`, `at most ${MAX_ROWS} rows per import`);

  const id = newId();
  await ctx.db
    .insertInto('business_import_jobs')
    .values({ id, created_by: actor.id, file_name: file.fileName.slice(0, 200), total: data.length, errors: '[]' })
    .execute();
  live.set(id, { processed: 0, status: 'validating' });
  const run = runImport(ctx, actor, id, data, header, ip).finally(() => live.delete(id));

  if (data.length > SYNC_ROW_LIMIT) {
    run.catch(() => {});
    return { status: 202, body: await getImportJob(ctx, actor, id, english) };
  }
  await run;
  const job = await getImportJob(ctx, actor, id, english);
  if (job.status === 'failed') {
    const zh = english
      ? `import refused: ${job.errors.length} error(s), nothing was written`
      : `导入失败：${job.errors.length}处错误，未写入任何数据`;
    return {
      status: 422,
      body: { error: { code: 'import_rows_invalid', message: zh, field: 'file', jobId: id, errors: job.errors }, errors: job.errors, jobId: id },
    };
  }
  return { status: 201, body: job };
}

async function runImport(ctx: AppContext, actor: Actor, id: string, data: SheetRow[], header: NonNullable<ReturnType<typeof findHeader>>, ip?: string) {
  try {
    const parsed: ParsedRow[] = [];
    for (let i = 0; i < data.length; i += BATCH) {
      const chunk = data.slice(i, i + BATCH).map((r) => mapRow(r, header));
      parsed.push(...chunk);
      await setProgress(ctx, id, parsed.length);
    }
    await validateAgainstDatabase(ctx, actor, parsed);
    const errors = parsed.flatMap((p) => p.errors);
    if (errors.length) {
      await finish(ctx, id, 'failed', 0, errors);
      return;
    }
    live.set(id, { processed: 0, status: 'importing' });
    await ctx.db.updateTable('business_import_jobs').set({ status: 'importing', processed: 0 }).where('id', '=', id).execute();
    const now = ctx.now();
    const values = parsed.map((p) => newBusinessRow(p.fields as BusinessFields, (p as any).unitRow as RegionRow, now));
    try {
      await ctx.db.transaction().execute(async (trx) => {
        for (let i = 0; i < values.length; i += BATCH) {
          const chunk = values.slice(i, i + BATCH);
          await trx.insertInto('businesses').values(chunk).execute();
          await trx
            .insertInto('audit_log')
            .values(
              chunk.map((v) => ({
                actor_id: actor.id,
                actor_name: actor.username,
                action: 'business_imported',
                entity: 'business',
                entity_id: v.id,
                ip: ip ?? null,
                detail: JSON.stringify({ jobId: id, name: v.name, grade: v.grade, riskLevel: v.risk_level }),
              })),
            )
            .execute();
          live.set(id, { processed: Math.min(i + BATCH, values.length), status: 'importing' });
        }
        await trx
          .insertInto('audit_log')
          .values({
            actor_id: actor.id,
            actor_name: actor.username,
            action: 'businesses_import_completed',
            entity: 'business_import',
            entity_id: id,
            ip: ip ?? null,
            detail: JSON.stringify({ rows: values.length }),
          })
          .execute();
      });
    } catch (e) {
      if ((e as any)?.code === '23505') {
        // a concurrent import or edit took a credit code between validation and writing
        await finish(ctx, id, 'failed', 0, [{ row: 0, field: 'creditCode', column: '统一社会信用代码', message: '统一社会信用代码与已登记主体重复（导入期间被占用），未写入任何数据', messageEn: 'a credit code was registered meanwhile; nothing was written' }]);
        return;
      }
      throw e;
    }
    await finish(ctx, id, 'done', values.length, []);
  } catch (e) {
    await finish(ctx, id, 'failed', 0, [{ row: 0, field: 'file', column: '', message: `导入出错，未写入任何数据：${(e as Error).message}`, messageEn: `import failed, nothing was written: ${(e as Error).message}` }]).catch(() => {});
    throw e;
  }
}

async function setProgress(ctx: AppContext, id: string, processed: number) {
  live.set(id, { processed, status: 'validating' });
  await ctx.db.updateTable('business_import_jobs').set({ processed }).where('id', '=', id).execute();
}

async function finish(ctx: AppContext, id: string, status: 'done' | 'failed', imported: number, errors: RowError[]) {
  const job = await ctx.db.selectFrom('business_import_jobs').select('total').where('id', '=', id).executeTakeFirstOrThrow();
  await ctx.db
    .updateTable('business_import_jobs')
    .set({
      status,
      imported,
      processed: job.total,
      errors: JSON.stringify(errors.slice(0, MAX_STORED_ERRORS)),
      finished_at: ctx.now(),
    })
    .where('id', '=', id)
    .execute();
}

/**
 * Checks that need the database: the unit (code, or a name path such as 甲一社区/第1网格/第1单元)
 * inside the caller's jurisdiction, and credit codes unique in the file and in the registry.
 */
async function validateAgainstDatabase(ctx: AppContext, actor: Actor, parsed: ParsedRow[]) {
  const units = await resolveUnits(ctx.db, actor.scope, [...new Set(parsed.map((p) => p.unit).filter(Boolean))]);
  const codes = new Map<string, number>();
  for (const p of parsed) {
    if (p.unit) {
      const u = units.get(p.unit)!;
      if ('error' in u) p.errors.push({ row: p.row, field: 'unit', column: FIELD_LABELS.unit, message: u.error, messageEn: u.errorEn });
      else (p as any).unitRow = u.region;
    }
    for (const e of checkFields(p.fields, p.fields.type, p.fields.dinersCount)) {
      const field = e.field as keyof typeof FIELD_LABELS;
      p.errors.push({ row: p.row, field: e.field, column: FIELD_LABELS[field] ?? e.field, message: e.zh, messageEn: e.en });
    }
    if (p.fields.creditCode) {
      const c = normalizeCode(p.fields.creditCode);
      const first = codes.get(c);
      if (first !== undefined) {
        p.errors.push({ row: p.row, field: 'creditCode', column: FIELD_LABELS.creditCode, message: `统一社会信用代码与第${first}行重复`, messageEn: `same credit code as row ${first}` });
      } else codes.set(c, p.row);
    }
  }
  const byRow = new Map(parsed.map((p) => [p.row, p]));
  const all = [...codes.keys()];
  for (let i = 0; i < all.length; i += 1000) {
    const taken = await ctx.db.selectFrom('businesses').select('credit_code').where('credit_code', 'in', all.slice(i, i + 1000)).execute();
    for (const t of taken) {
      const row = codes.get(t.credit_code!)!;
      byRow.get(row)!.errors.push({ row, field: 'creditCode', column: FIELD_LABELS.creditCode, message: '该统一社会信用代码已登记，不能重复导入', messageEn: 'this credit code is already registered' });
    }
  }
  // The same name in the same unit is the same business: a row copied twice, or a file imported
  // again (rows without a credit code would otherwise be registered twice).
  const names = new Map<string, number>();
  for (const p of parsed) {
    const unit = (p as any).unitRow as RegionRow | undefined;
    if (!unit || !p.fields.name) continue;
    const key = `${unit.id}|${sameBusinessName(p.fields.name)}`;
    const first = names.get(key);
    if (first !== undefined) p.errors.push({ row: p.row, field: 'name', column: FIELD_LABELS.name, message: `与第${first}行是同一单元的同名主体（重复行）`, messageEn: `same name and unit as row ${first}` });
    else names.set(key, p.row);
  }
  const unitIds = [...new Set([...names.keys()].map((k) => Number(k.split('|')[0])))];
  for (let i = 0; i < unitIds.length; i += 1000) {
    const existing = await ctx.db.selectFrom('businesses').select(['region_id', 'name']).where('region_id', 'in', unitIds.slice(i, i + 1000)).execute();
    for (const e of existing) {
      const row = names.get(`${e.region_id}|${sameBusinessName(e.name)}`);
      if (row !== undefined) {
        byRow.get(row)!.errors.push({ row, field: 'name', column: FIELD_LABELS.name, message: `该单元已登记同名主体「${e.name}」，不能重复导入`, messageEn: `"${e.name}" is already registered in this unit` });
      }
    }
  }
  parsed.sort((a, b) => a.row - b.row);
  for (const p of parsed) p.errors.sort((a, b) => a.field.localeCompare(b.field));
}

const sameBusinessName = (n: string) => toHalfWidth(n).replace(/\s+/g, '').toLowerCase();

/** Staff write 太平社区 for 太平社区居委会 and 下郑村 for 下郑村民委员会. */
const canonName = (n: string) => n.replace(/(居民委员会|居委会|村民委员会|村委会)$/, '').replace(/(社区|村|居)$/, '');
export const sameName = (official: string, written: string) => official === written || canonName(official) === canonName(written);

type UnitResolution = { region: RegionRow } | { error: string; errorEn: string };

export async function resolveUnits(db: Tx, scope: readonly string[], refs: string[]): Promise<Map<string, UnitResolution>> {
  const out = new Map<string, UnitResolution>();
  if (!refs.length) return out;
  const inScope = scopeCondition('path', scope);
  const byCode = new Map<string, RegionRow>();
  const codeRefs = refs.map((r) => r.trim());
  for (let i = 0; i < codeRefs.length; i += 1000) {
    const rows = (await sql<RegionRow>`SELECT * FROM regions WHERE code = ANY(${codeRefs.slice(i, i + 1000)}::text[]) AND ${inScope}`.execute(db)).rows;
    for (const r of rows) byCode.set(r.code, r);
  }
  const split = (s: string) =>
    s
      .split(/\s*[\/／>＞\\|｜]\s*/)
      .map((x) => x.trim())
      .filter(Boolean);
  const pending = refs.filter((r) => !byCode.has(r.trim()));
  const lastNames = [...new Set(pending.map((r) => split(r).at(-1)!).filter(Boolean))];
  const candidates: RegionRow[] = [];
  for (let i = 0; i < lastNames.length; i += 1000) {
    candidates.push(
      ...(await sql<RegionRow>`SELECT * FROM regions WHERE level = 'unit' AND name = ANY(${lastNames.slice(i, i + 1000)}::text[]) AND ${inScope}`.execute(db)).rows,
    );
  }
  const ancestorIds = [...new Set(candidates.flatMap((c) => pathIds(c.path)))];
  const names = new Map<number, string>();
  for (let i = 0; i < ancestorIds.length; i += 5000) {
    const rows = await db.selectFrom('regions').select(['id', 'name']).where('id', 'in', ancestorIds.slice(i, i + 5000)).execute();
    for (const r of rows) names.set(r.id, r.name);
  }
  for (const ref of refs) {
    const code = byCode.get(ref.trim());
    if (code) {
      out.set(ref, code.level === 'unit' ? { region: code } : { error: `「${ref}」是${code.name}（${code.level}），主体须登记到单元`, errorEn: `"${ref}" is a ${code.level}, not a unit` });
      continue;
    }
    const parts = split(ref);
    const last = parts.at(-1);
    const matches = candidates.filter((c) => {
      if (c.name !== last) return false;
      // the other parts must appear, in order, among the unit's ancestors
      const chain = pathIds(c.path)
        .slice(0, -1)
        .map((id) => names.get(id) ?? '');
      let k = 0;
      for (const n of chain) if (k < parts.length - 1 && sameName(n, parts[k])) k++;
      return k === parts.length - 1;
    });
    if (matches.length === 1) out.set(ref, { region: matches[0] });
    else if (matches.length > 1) {
      out.set(ref, {
        error: `单元「${ref}」不唯一（${matches.length}处同名），请填写单元编码或更完整的路径（如 社区/网格/单元）`,
        errorEn: `unit "${ref}" is ambiguous (${matches.length} matches): give its code or a longer path`,
      });
    }
    else out.set(ref, { error: `找不到单元「${ref}」（或不在您的管辖范围内）`, errorEn: `no unit "${ref}" in your jurisdiction` });
  }
  return out;
}

export async function getImportJob(ctx: AppContext, actor: Actor, id: string, english = false): Promise<JobView> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('import job', '导入任务');
  const j = await ctx.db.selectFrom('business_import_jobs').selectAll().where('id', '=', id).executeTakeFirst();
  // An import shows the caller's own file (and the rows of their jurisdiction): only its creator reads it.
  if (!j || j.created_by !== actor.id) throw notFound('import job', '导入任务');
  const running = j.status !== 'done' && j.status !== 'failed';
  const l = running ? live.get(id) : undefined;
  if (running && !l && ctx.now().getTime() - new Date(j.created_at).getTime() > STALE_MS) {
    // The process that ran it stopped (restart, crash): nothing was committed, say so.
    const errors = [{ row: 0, field: 'file', column: '', message: '导入被中断（服务重启），未写入任何数据，请重新导入', messageEn: 'the import was interrupted (server restart); nothing was written, import again' }];
    await ctx.db
      .updateTable('business_import_jobs')
      .set({ status: 'failed', errors: JSON.stringify(errors), finished_at: ctx.now() })
      .where('id', '=', id)
      .where('status', 'in', ['validating', 'importing'])
      .execute();
    return getImportJob(ctx, actor, id, english);
  }
  const stored = (typeof j.errors === 'string' ? JSON.parse(j.errors) : j.errors) as RowError[];
  const errors = stored.map(({ messageEn, ...e }) => ({ ...e, message: english && messageEn ? messageEn : e.message }));
  return {
    id: j.id,
    jobId: j.id,
    status: l?.status ?? j.status,
    fileName: j.file_name,
    total: j.total,
    processed: l?.processed ?? j.processed,
    imported: j.imported,
    errors,
    createdAt: new Date(j.created_at).toISOString(),
    finishedAt: j.finished_at ? new Date(j.finished_at).toISOString() : null,
  };
}
