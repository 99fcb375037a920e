import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import fs from 'node:fs';
import { region, smallWorld, user, type SmallWorld } from '../../../test/helpers/world.js';
import { creditCode, multipart } from './test-support.js';

let t: TestApp;
let w: SmallWorld;
let station: string;
let stationB: string;
let bureauA: string;

beforeAll(async () => {
  t = await createTestApp();
  w = await smallWorld(t.ctx.db);
  [station, stationB, bureauA] = await Promise.all(['w_station_a1', 'w_station_b1', 'w_bureau_a'].map((u) => t.login(u)));
});
afterAll(async () => t?.close());

async function upload(token: string, filename: string, data: Buffer | string) {
  const mp = multipart([{ name: 'file', filename, data }]);
  return t.api(token).post('/api/v1/businesses/import', mp.body, { 'content-type': mp.contentType });
}

async function download(token: string, url: string) {
  const res = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
  return { status: res.statusCode, headers: res.headers, raw: res.rawPayload };
}

async function countBusinesses(): Promise<number> {
  const r = await t.ctx.db.selectFrom('businesses').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** A registry sheet as a township office keeps it: title rows, merged cells, blank and footer lines. */
async function realisticXlsx(): Promise<{ buffer: Buffer; codes: string[] }> {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('说明').addRow(['本表由各村居填报']);
  const ws = wb.addWorksheet('台账');
  ws.addRow(['甲一街道食品生产经营主体包保台账（2026年）']);
  ws.mergeCells('A1:K1');
  ws.addRow(['填报单位：甲一市场监管所', null, null, null, null, null, null, null, '填报日期：2026年11月']);
  ws.addRow([]);
  ws.addRow(['序号', '企业名称', '统一社会信用代码', '许可证编号', '许可证有效期', '业态', '所属单元', '经营地址', '就餐人数', '从业人数', '营业收入（万元）', '主要品种']);
  const codes = [creditCode(), creditCode(), creditCode()];
  const unitPath = '甲一社区/甲一社区第1网格/甲一社区第1网格第1单元';
  ws.addRow(['一、学校食堂']);
  ws.mergeCells(`A5:L5`);
  ws.addRow([1, '甲一中心小学食堂', codes[0], 'JY33503020000021', new Date(Date.UTC(2027, 5, 30)), '学校食堂', unitPath, '甲一路2号', 3000, 12, null, null]);
  ws.addRow([2, '甲一幼儿园食堂', null, null, '2026年12月31日', '幼儿园食堂', null, '甲一路3号', 260, 6, null, null]);
  ws.mergeCells('G6:G7'); // the unit written once for both canteens
  ws.addRow([]);
  ws.addRow(['二、生产企业']);
  ws.addRow([3, '甲一乳品有限公司', codes[1], 'SC10535030200015', '2025-01-01至2030-01-01', '食品生产企业', w.regions.uA1.code, '工业园1号', null, '350', '2,500', '乳制品']);
  ws.addRow([4, '甲一便利店', codes[2], null, null, '便利店', '甲一社区第1网格第1单元', null, null, 8, 90, null]);
  ws.addRow([]);
  ws.addRow(['填表人：李四', null, '联系电话：0594-1234567']);
  return { buffer: Buffer.from(await wb.xlsx.writeBuffer()), codes };
}

describe('B4 import', () => {
  it('When a real-world .xlsx (merged title, two-line preamble, merged unit cells, blank and footer rows) is uploaded, then every business is registered and graded', async () => {
    const { buffer, codes } = await realisticXlsx();
    const before = await countBusinesses();
    const r = await upload(station, '甲一街道台账.xlsx', buffer);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ status: 'done', total: 4, processed: 4, imported: 4, errors: [] });
    expect(await countBusinesses()).toBe(before + 4);
    const list = (await t.api(station).get('/api/v1/businesses?limit=100')).body.items;
    const by = (name: string) => list.find((b: any) => b.name === name);
    expect(by('甲一中心小学食堂')).toMatchObject({ grade: 'A', riskLevel: 'high', creditCode: codes[0], licenseExpiry: '2027-06-30', regionId: String(w.regions.uA1.id) });
    expect(by('甲一幼儿园食堂')).toMatchObject({ grade: 'C', licenseExpiry: '2026-12-31', regionId: String(w.regions.uA1.id) });
    expect(by('甲一乳品有限公司')).toMatchObject({ grade: 'B', riskLevel: 'high', type: 'production', productTags: ['dairy'], licenseExpiry: '2030-01-01', employees: 350, revenueWan: 2500 });
    expect(by('甲一便利店')).toMatchObject({ grade: 'D', type: 'sales' });
    const history = await t.api(station).get(`/api/v1/businesses/${by('甲一便利店').id}/history`);
    expect(history.body.items.map((i: any) => i.title)).toEqual(['批量导入登记']);
  });

  it('When a CSV has bad rows, then 422 lists each row and field and nothing is written', async () => {
    const dup = creditCode();
    const good = creditCode();
    const wrongCheck = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    const csv = [
      '名称,统一社会信用代码,类型,所属单元,许可证有效期,就餐人数',
      `好的餐馆,${creditCode()},餐饮,${w.regions.uA1.code},2027-01-01,`,
      `,,餐饮,${w.regions.uA1.code},,`, // 3: no name
      `外县的店,,餐饮,${w.regions.uB1.code},,`, // 4: unit outside jurisdiction
      `错代码的店,${wrongCheck},销售,${w.regions.uA1.code},,`, // 5: bad credit code
      `无人数的食堂,,学校食堂,${w.regions.uA1.code},,`, // 6: canteen without diners
      `"名字里有,逗号的店",${dup},奇怪业态,${w.regions.uA1.code},明年,`, // 7: bad type and date
      `重复代码的店,${dup},销售,${w.regions.uA1.code},,`, // 8: duplicate within the file
      `好的 餐馆,,餐饮,${w.regions.uA1.code},,`, // 9: row 2 again (same name, same unit)
      '',
    ].join('\r\n');
    const before = await countBusinesses();
    const r = await upload(station, 'bad.csv', '\uFEFF' + csv);
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'import_rows_invalid', field: 'file' });
    const errs = r.body.errors.map((e: any) => `${e.row}:${e.field}`);
    expect(errs).toEqual(expect.arrayContaining(['3:name', '4:unit', '5:creditCode', '6:dinersCount', '7:type', '7:licenseExpiry', '8:creditCode', '9:name']));
    expect(errs.some((e: string) => e.startsWith('2:'))).toBe(false);
    expect(r.body.errors.find((e: any) => e.row === 4).message).toContain(w.regions.uB1.code);
    expect(await countBusinesses()).toBe(before);
    const job = await t.api(station).get(`/api/v1/businesses/import/${r.body.jobId}`);
    expect(job.body).toMatchObject({ status: 'failed', total: 8, imported: 0 });
    const en = await t.api(station).get(`/api/v1/businesses/import/${r.body.jobId}`, { 'accept-language': 'en' });
    expect(en.body.errors.find((e: any) => e.row === 3)).toMatchObject({ field: 'name', message: 'name is required' });
    expect(en.body.errors.find((e: any) => e.row === 9).message).toBe('same name and unit as row 2');
  });

  it('When a credit code is already registered, then the import names the row and writes nothing', async () => {
    const code = creditCode();
    await t.api(station).post('/api/v1/businesses', { name: '已登记', type: 'sales', regionId: String(w.regions.uA1.id), creditCode: code });
    const r = await upload(station, 'again.csv', `名称,统一社会信用代码,类型,所属单元\n新店,${creditCode()},销售,${w.regions.uA1.code}\n老店,${code},销售,${w.regions.uA1.code}\n`);
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([expect.objectContaining({ row: 3, field: 'creditCode' })]);
  });

  it('When the file has no recognisable header or is not a spreadsheet, then 422 names file', async () => {
    const a = await upload(station, 'x.csv', '甲,乙,丙\n1,2,3\n');
    expect(a.status).toBe(422);
    expect(a.body.error).toMatchObject({ code: 'header_not_found', field: 'file' });
    const b = await upload(station, 'x.xls', Buffer.from([0xd0, 0xcf, 0x11, 0xe0]));
    expect(b.body.error).toMatchObject({ code: 'xls_not_supported', field: 'file' });
    const c = await upload(station, 'x.csv', '名称,类型\n某店,餐饮\n');
    expect(c.body.error).toMatchObject({ code: 'column_missing', field: 'file' });
  });

  it('When a role without import permission uploads, then 403', async () => {
    const grid = await t.login('w_grid_a1');
    expect((await upload(grid, 'a.csv', '名称,类型,所属单元\n')).status).toBe(403);
  });

  it('When a large file is uploaded, then 202 with a job whose progress reaches done, readable only by its creator', async () => {
    const lines = ['名称,类型,所属单元,从业人数'];
    for (let i = 0; i < 620; i++) lines.push(`批量店${i},销售,${w.regions.uA1.code},${i % 60}`);
    const before = await countBusinesses();
    const r = await upload(station, 'big.csv', lines.join('\n'));
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ total: 620 });
    expect(['validating', 'importing', 'done']).toContain(r.body.status);
    let job = r.body;
    const seen = new Set<string>();
    for (let i = 0; i < 600 && job.status !== 'done' && job.status !== 'failed'; i++) {
      await new Promise((res) => setTimeout(res, 50));
      job = (await t.api(station).get(`/api/v1/businesses/import/${r.body.id}`)).body;
      seen.add(job.status);
      expect(job.processed).toBeLessThanOrEqual(job.total);
    }
    expect(job).toMatchObject({ status: 'done', processed: 620, imported: 620 });
    expect(await countBusinesses()).toBe(before + 620);
    expect((await t.api(bureauA).get(`/api/v1/businesses/import/${r.body.id}`)).status).toBe(404);
  });
});

describe('B4 the sample files in test/fixtures', () => {
  it('When the 龙桥街道 sample CSV is imported, then all seven businesses are registered and graded; the same registry as .xlsx then fails on the duplicate codes', async () => {
    // the demo world's regions the sample refers to
    const city = await region(t.ctx.db, 'city', '莆田市', undefined, '350300');
    const county = await region(t.ctx.db, 'county', '城厢区', city, '350302');
    const town = await region(t.ctx.db, 'township', '龙桥街道', county, '350302001');
    const village = await region(t.ctx.db, 'village', '太平社区居委会', town, '350302001001');
    for (let g = 1; g <= 3; g++) {
      const grid = await region(t.ctx.db, 'grid', `太平社区第${g}网格`, village, `3503020010010${g}`);
      for (let u = 1; u <= 3; u++) await region(t.ctx.db, 'unit', `太平社区第${g}网格第${u}单元`, grid, `3503020010010${g}0${u}`);
    }
    await user(t.ctx.db, 'longqiao_staff', 'station_staff', { region: town });
    const token = await t.login('longqiao_staff');

    const before = await countBusinesses();
    const csv = await upload(token, 'businesses-longqiao.csv', fs.readFileSync('test/fixtures/businesses-longqiao.csv'));
    expect(csv.status, JSON.stringify(csv.body)).toBe(201);
    expect(csv.body.imported).toBe(7);
    const items = (await t.api(token).get('/api/v1/businesses?limit=100')).body.items;
    const grades = Object.fromEntries(items.map((b: any) => [b.name, `${b.type}:${b.grade}:${b.riskLevel}:${b.status}`]));
    expect(grades).toEqual({
      莆田市城厢区太平小学食堂: 'school_canteen:B:normal:operating',
      太平社区幼儿园食堂: 'kindergarten_canteen:C:high:operating',
      莆田市城厢区兴旺乳业有限公司: 'production:B:high:operating',
      老林卤味加工坊: 'workshop:C:high:operating',
      '好又多便利店（太平店）': 'sales:D:low:operating',
      阿明兴化米粉店: 'catering:C:normal:suspended',
      '太平菜市场流动摊点（豆腐）': 'stall:D:normal:operating',
    });

    const xlsx = await upload(token, 'businesses-longqiao.xlsx', fs.readFileSync('test/fixtures/businesses-longqiao.xlsx'));
    expect(xlsx.status).toBe(422);
    // rows as Excel numbers them: title, 填报单位 line and header come first
    const errs = xlsx.body.errors.map((e: any) => `${e.row}:${e.field}`);
    expect(errs.filter((e: string) => e.endsWith(':creditCode'))).toEqual(['4:creditCode', '6:creditCode', '8:creditCode', '9:creditCode']);
    // rows without a credit code are recognised too: same name in the same unit
    expect(errs.filter((e: string) => e.endsWith(':name'))).toEqual(['4:name', '5:name', '6:name', '7:name', '8:name', '9:name', '10:name']);
    expect(await countBusinesses()).toBe(before + 7);
  });
});

describe('B4 interrupted imports', () => {
  it('When a job was left running by a stopped server, then reading it reports failed with nothing written', async () => {
    const r = await upload(station, 'one.csv', `名称,类型,所属单元\n中断测试店,销售,${w.regions.uA1.code}\n`);
    const id = r.body.id;
    await t.ctx.db.updateTable('business_import_jobs').set({ status: 'importing', created_at: new Date(Date.now() - 3600_000) }).where('id', '=', id).execute();
    const job = await t.api(station).get(`/api/v1/businesses/import/${id}`);
    expect(job.body.status).toBe('failed');
    expect(job.body.errors[0].message).toContain('中断');
  });
});

describe('B4 template and export', () => {
  it('When the template is downloaded, then it is an .xlsx with the Chinese headers the importer reads', async () => {
    const r = await download(station, '/api/v1/businesses/import-template.xlsx');
    expect(r.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.raw as any);
    const headers = (wb.worksheets[0].getRow(1).values as any[]).filter(Boolean);
    expect(headers).toEqual(expect.arrayContaining(['名称（必填）', '类型（必填）', '所属单元（必填）', '就餐人数', '营业收入(万元)']));
  });

  it('When exporting, then the .xlsx holds exactly the businesses the caller may list, with Chinese headers and masked phones', async () => {
    const mine = await t.api(station).post('/api/v1/businesses', {
      name: '导出测试饭店',
      type: 'catering',
      regionId: String(w.regions.uA1.id),
      contactPhone: '13700002222',
      employees: 120,
      revenueWan: 2100,
    });
    const theirs = await t.api(stationB).post('/api/v1/businesses', { name: '乙县导出店', type: 'catering', regionId: String(w.regions.uB1.id) });
    expect(theirs.status).toBe(201);

    const r = await download(station, '/api/v1/businesses/export.xlsx?type=catering');
    expect(r.status).toBe(200);
    expect(String(r.headers['content-type'])).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.raw as any);
    const ws = wb.worksheets[0];
    const header = (ws.getRow(1).values as any[]).slice(1);
    expect(header.slice(0, 6)).toEqual(['名称', '统一社会信用代码', '许可证编号', '许可证有效期', '类型', '分级']);
    const rows: Record<string, any>[] = [];
    ws.eachRow((row, n) => {
      if (n === 1) return;
      const v = (row.values as any[]).slice(1);
      rows.push(Object.fromEntries(header.map((h: string, i: number) => [h, v[i] ?? null])));
    });
    const listed = (await t.api(station).get('/api/v1/businesses?type=catering&limit=1000')).body.items.map((b: any) => b.name).sort();
    expect(rows.map((x) => x['名称']).sort()).toEqual(listed);
    expect(rows.map((x) => x['名称'])).not.toContain('乙县导出店');
    const row = rows.find((x) => x['名称'] === '导出测试饭店')!;
    expect(row).toMatchObject({ 类型: '餐饮服务', 分级: 'B', 联系电话: '137****2222', 所属单元: w.regions.uA1.code, 状态: '在营' });
    expect(row['所属区域']).toContain('甲一社区第1网格第1单元');
    expect(mine.body.grade).toBe('B');

    const other = await download(stationB, '/api/v1/businesses/export.xlsx');
    const wb2 = new ExcelJS.Workbook();
    await wb2.xlsx.load(other.raw as any);
    const names2: string[] = [];
    wb2.worksheets[0].eachRow((row, n) => n > 1 && names2.push((row.values as any[])[1]));
    expect(names2).toEqual(['乙县导出店']);

    const outside = await download(stationB, `/api/v1/businesses/export.xlsx?regionId=${w.regions.tA1.id}`);
    expect(outside.status).toBe(404);
  });
});
