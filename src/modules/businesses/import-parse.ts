import ExcelJS from 'exceljs';
import { BUSINESS_TYPES, type BusinessType } from '../../domain/grading.js';
import { CREDIT_RISK_CLASSES, PRODUCT_TAGS, type CreditRiskClass, type RiskLevel } from '../../domain/risk.js';
import { invalid } from '../../domain/errors.js';
import type { BusinessFields, BusinessStatus } from './registry.js';
import { toHalfWidth } from './rules.js';

/**
 * B4: reading the registry as staff really keep it — an .xlsx or .csv with Chinese headers,
 * title rows above the header, merged cells (a unit merged down several rows, a section title
 * merged across), blank rows and footer lines (填表人、合计). No I/O besides the bytes given.
 */

export type Cell = string | number | boolean | Date | null;
export interface SheetRow {
  /** The row number staff see in Excel (1-based), or the CSV line's record number. */
  row: number;
  cells: Cell[];
}

export type ImportField = keyof BusinessFields | 'unit' | 'lat' | 'lng';

/** Header aliases (normalised: no spaces, half-width brackets, no 必填 marks). */
const ALIASES: Record<ImportField, string[]> = {
  name: ['名称', '企业名称', '主体名称', '单位名称', '经营者名称', '食品生产经营者名称', '商户名称', '店名', '学校名称', '幼儿园名称', '市场主体名称', '生产经营者名称'],
  creditCode: ['统一社会信用代码', '社会信用代码', '信用代码', '统一信用代码', '统一社会信用代码(身份证号码)'],
  licenseNo: ['许可证编号', '许可证号', '食品经营许可证编号', '食品生产许可证编号', '许可证', '许可证/登记证编号', '登记证编号', '许可证(登记证)编号'],
  licenseExpiry: ['许可证有效期', '有效期', '有效期至', '许可证有效期至', '许可证到期日', '到期日期', '许可有效期'],
  type: ['类型', '业态', '主体类型', '主体业态', '经营类型', '类别', '主体类别', '业态类型'],
  unit: ['所属单元', '单元', '所属网格单元', '单元编码', '所属单元编码', '单元代码', '网格单元'],
  address: ['地址', '经营地址', '生产经营地址', '生产地址', '经营场所', '住所', '详细地址'],
  dinersCount: ['就餐人数', '用餐人数', '就餐人数(人)', '用餐人数(人)'],
  employees: ['从业人数', '从业人员', '从业人员数', '职工人数', '从业人数(人)', '从业人员(人)', '员工人数'],
  revenueWan: ['营业收入(万元)', '营业收入', '年营业收入(万元)', '年营业收入', '营业额(万元)', '主营业务收入(万元)'],
  riskLevel: ['风险等级', '风险级别', '风险分级'],
  creditRiskClass: ['信用风险分类', '信用风险等级', '信用风险类别', '信用等级'],
  status: ['状态', '经营状态', '主体状态'],
  foodSafetyDirector: ['食品安全总监'],
  foodSafetyOfficer: ['食品安全员'],
  contactName: ['联系人', '负责人', '法定代表人', '法定代表人(负责人)', '经营者', '法人'],
  contactPhone: ['联系电话', '电话', '手机', '手机号码', '联系方式', '负责人电话'],
  insured: ['是否投保', '食品安全责任保险', '是否投保食品安全责任险', '责任保险'],
  insuranceExpiry: ['保险到期日', '保险有效期', '保险有效期至'],
  productTags: ['主要品种', '产品类别', '主要产品', '经营项目', '生产品种', '标签', '食品类别'],
  location: [],
  lat: ['纬度'],
  lng: ['经度'],
};

export const FIELD_LABELS: Record<ImportField, string> = Object.fromEntries(
  Object.entries(ALIASES).map(([k, v]) => [k, v[0] ?? k]),
) as Record<ImportField, string>;
FIELD_LABELS.location = '经纬度';

export function normalizeHeader(v: string): string {
  return toHalfWidth(v)
    .replace(/\s+/g, '')
    .replace(/[*＊]/g, '')
    .replace(/\((必填|选填|可选)\)/g, '')
    .replace(/[【\[]/g, '(')
    .replace(/[】\]]/g, ')')
    .toLowerCase();
}

const ALIAS_INDEX = new Map<string, ImportField>();
for (const [field, names] of Object.entries(ALIASES)) for (const n of names) ALIAS_INDEX.set(normalizeHeader(n), field as ImportField);

export function cellText(c: Cell | undefined): string {
  if (c == null) return '';
  if (c instanceof Date) return isoDay(c);
  return String(c).trim();
}

function isoDay(d: Date): string {
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

/** An exceljs cell value as a plain value (rich text, formulas, hyperlinks resolved). */
function plain(v: ExcelJS.CellValue): Cell {
  if (v == null) return null;
  if (v instanceof Date || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  const o = v as any;
  if (Array.isArray(o.richText)) return o.richText.map((t: any) => t.text).join('');
  if ('result' in o) return plain(o.result);
  if ('text' in o) return plain(o.text);
  if ('error' in o) return null;
  return String(v);
}

export async function readXlsx(buffer: Buffer): Promise<SheetRow[]> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buffer as any);
  } catch {
    throw invalid('unreadable_file', 'file', '无法读取该 Excel 文件（请另存为 .xlsx 后重试）', 'the Excel file cannot be read (save it as .xlsx)');
  }
  // The first sheet that has a recognisable header (staff often keep a 说明 sheet first).
  for (const ws of wb.worksheets) {
    const rows: SheetRow[] = [];
    ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
      const cells: Cell[] = [];
      // row.getCell resolves merged cells to the master's value.
      for (let c = 1; c <= ws.columnCount; c++) cells.push(plain(row.getCell(c).value));
      rows.push({ row: rowNumber, cells });
    });
    if (findHeader(rows)) return rows;
  }
  return [];
}

export function decodeText(buffer: Buffer): string {
  if (buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) return buffer.subarray(3).toString('utf8');
  if (buffer[0] === 0xff && buffer[1] === 0xfe) return new TextDecoder('utf-16le').decode(buffer.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buffer);
  } catch {
    // Excel on Chinese Windows saves CSV in GBK.
    return new TextDecoder('gbk').decode(buffer);
  }
}

/** RFC 4180 CSV (quoted fields, doubled quotes, CRLF, newlines inside quotes); comma or tab. */
export function parseCsv(text: string): SheetRow[] {
  const firstLine = text.slice(0, text.indexOf('\n') >= 0 ? text.indexOf('\n') : text.length);
  const sep = (firstLine.match(/\t/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? '\t' : ',';
  const rows: SheetRow[] = [];
  let cells: Cell[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let startLine = 1;
  const endField = () => {
    cells.push(field.trim() === '' ? null : field);
    field = '';
  };
  const endRow = () => {
    endField();
    if (cells.some((c) => c !== null)) rows.push({ row: startLine, cells });
    cells = [];
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
    } else if (ch === '"' && field.trim() === '') {
      field = '';
      quoted = true;
    } else if (ch === sep) endField();
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
      startLine = line;
    } else field += ch;
  }
  if (field !== '' || cells.length) endRow();
  return rows;
}

export interface Header {
  /** Index of the last header row in `rows`; data follows it. */
  index: number;
  columns: Map<number, ImportField>;
  labels: Map<ImportField, string>;
}

function matchRow(r: SheetRow): Map<number, ImportField> {
  const m = new Map<number, ImportField>();
  const seen = new Set<ImportField>();
  r.cells.forEach((c, i) => {
    const f = ALIAS_INDEX.get(normalizeHeader(cellText(c)));
    if (f && !seen.has(f)) {
      m.set(i, f);
      seen.add(f);
    }
  });
  return m;
}

/**
 * The header is the first row (within the first 30) naming the business and at least one other
 * known column. A two-row header (group titles merged across, or cells merged down) is read as
 * one: the lower row completes the upper.
 */
export function findHeader(rows: SheetRow[]): Header | null {
  for (let i = 0; i < Math.min(rows.length, 30); i++) {
    const m = matchRow(rows[i]);
    const fields = new Set(m.values());
    if (!fields.has('name') || m.size < 2) continue;
    let index = i;
    if (i + 1 < rows.length) {
      const next = matchRow(rows[i + 1]);
      const nextFields = new Set(next.values());
      if (nextFields.size >= 2 && [...nextFields].some((f) => !fields.has(f))) {
        // the next row adds columns (the sub-headers under a merged group title)
        for (const [col, f] of next) if (![...m.values()].includes(f)) m.set(col, f);
        index = i + 1;
      }
    }
    const labels = new Map<ImportField, string>();
    for (const [col, f] of m) {
      const row = index > i && matchRow(rows[index]).get(col) === f ? rows[index] : rows[i];
      labels.set(f, cellText(row.cells[col]) || FIELD_LABELS[f]);
    }
    return { index, columns: m, labels };
  }
  return null;
}

const FOOTER = /^(合计|总计|小计|填表人|填报人|制表人|审核人|统计人|负责人签字|填表日期|备注|说明|注[:：])/;
const SECTION = /^([一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])/;

/** Rows that carry no business: blank, footers, section titles merged across the sheet. */
export function isNoiseRow(cells: Cell[]): boolean {
  const texts = cells.map(cellText).filter(Boolean);
  if (!texts.length) return true;
  if (FOOTER.test(texts[0])) return true;
  if (texts.length >= 3 && texts.every((t) => t === texts[0])) return true;
  if (texts.length === 1 && SECTION.test(texts[0])) return true;
  return false;
}

export interface RowError {
  row: number;
  field: string;
  column: string;
  message: string;
  /** The same in English (Accept-Language: en). */
  messageEn?: string;
}

export interface ParsedRow {
  row: number;
  fields: Partial<BusinessFields>;
  unit: string;
  errors: RowError[];
}

const TYPE_WORDS: [RegExp, BusinessType][] = [
  [/幼儿园|托幼|托儿所/, 'kindergarten_canteen'],
  [/学校|中学|小学|高校|大学|学院|校园/, 'school_canteen'],
  [/小作坊|作坊/, 'workshop'],
  [/摊贩|摊点|流动/, 'stall'],
  [/农场|合作社|种植|养殖|农产品生产|家庭农场/, 'farm'],
  [/生产|加工|制造/, 'production'],
  [/餐饮|饭店|餐馆|餐厅|饭馆|小吃|食堂|中央厨房|集体用餐/, 'catering'],
  [/销售|经营|流通|超市|便利店|商店|零售|批发|商场|市场/, 'sales'],
  [/其他|其它/, 'other'],
];

export function parseType(v: string): BusinessType | null {
  const t = v.trim();
  if ((BUSINESS_TYPES as readonly string[]).includes(t)) return t as BusinessType;
  for (const [re, type] of TYPE_WORDS) if (re.test(t)) return type;
  return null;
}

const RISK_WORDS: [RegExp, RiskLevel][] = [
  [/^(高|高风险|high)$/i, 'high'],
  [/^(较高|较高风险|中|中风险|中等|medium)$/i, 'medium'],
  [/^(一般|普通|正常|normal)$/i, 'normal'],
  [/^(低|低风险|较低|low)$/i, 'low'],
];
const STATUS_WORDS: [RegExp, BusinessStatus][] = [
  [/^(在营|正常|营业|经营中|存续|开业|operating)$/i, 'operating'],
  [/停产|停业|suspended/i, 'suspended'],
  [/吊销|revoked/i, 'revoked'],
  [/注销|歇业|关闭|closed/i, 'closed'],
];
const TAG_WORDS: [RegExp, string][] = [
  [/婴幼儿配方/, 'infant_formula'],
  [/特殊医学|特医/, 'special_medical'],
  [/保健食品/, 'health_food'],
  [/乳|奶/, 'dairy'],
  [/肉/, 'meat'],
  [/集体用餐/, 'group_meal'],
  [/中央厨房/, 'central_kitchen'],
  [/批发/, 'wholesale'],
  [/仅销售预包装|预包装食品\(不含|仅预包装/, 'prepackaged_only'],
];

/** Dates as staff type them: Excel dates, 2026-12-31, 2026/12/31, 2026.12.31, 2026年12月31日, ranges (the end counts). */
export function parseDate(c: Cell): string | null {
  if (c instanceof Date) return isoDay(c);
  if (typeof c === 'number' && c > 20000 && c < 80000) return isoDay(new Date(Date.UTC(1899, 11, 30) + c * 86400000));
  const s = toHalfWidth(cellText(c));
  const all = [...s.matchAll(/(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?/g)];
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  const m = all.length ? all[all.length - 1] : compact;
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return null;
  return isoDay(dt);
}

/** Numbers as staff type them: 1,200 / 12人 / 300.5万元 / full-width digits. */
export function parseNumber(c: Cell): number | null {
  if (typeof c === 'number') return c;
  const s = toHalfWidth(cellText(c)).replace(/[,，\s]/g, '').replace(/(人|名|万元|万|元)$/, '');
  if (!/^-?\d+(\.\d+)?$/.test(s)) return NaN;
  return Number(s);
}

/** Turns one data row into registry fields, collecting every problem it has. */
export function mapRow(r: SheetRow, header: Header): ParsedRow {
  const errors: RowError[] = [];
  const fields: Partial<BusinessFields> = {};
  const get = (f: ImportField): Cell => {
    for (const [col, ff] of header.columns) if (ff === f) return r.cells[col] ?? null;
    return null;
  };
  const err = (field: ImportField, message: string, messageEn: string) =>
    errors.push({ row: r.row, field, column: header.labels.get(field) ?? FIELD_LABELS[field], message, messageEn });
  const str = (f: ImportField, max: number): string | null => {
    const v = cellText(get(f));
    if (!v) return null;
    if (v.length > max) {
      err(f, `超过${max}个字符`, `longer than ${max} characters`);
      return null;
    }
    return v;
  };

  const name = str('name', 200);
  if (!name) err('name', '名称不能为空', 'name is required');
  else fields.name = name;

  const typeText = cellText(get('type'));
  if (!typeText) err('type', '类型不能为空（生产/销售/餐饮/学校食堂/幼儿园食堂/小作坊/摊贩/农场/其他）', 'type is required');
  else {
    const t = parseType(typeText);
    if (!t) err('type', `无法识别的类型「${typeText}」（可填：生产/销售/餐饮/学校食堂/幼儿园食堂/小作坊/摊贩/农场/其他）`, `unknown type "${typeText}"`);
    else fields.type = t;
  }

  const unit = cellText(get('unit'));
  if (!unit) err('unit', '所属单元不能为空（填单元编码或名称路径，如 某社区/第1网格/第1单元）', 'unit is required (a unit code or a name path)');

  fields.creditCode = str('creditCode', 30);
  fields.licenseNo = str('licenseNo', 50);
  fields.address = str('address', 300);
  fields.foodSafetyDirector = str('foodSafetyDirector', 50);
  fields.foodSafetyOfficer = str('foodSafetyOfficer', 50);
  fields.contactName = str('contactName', 50);
  const phone = str('contactPhone', 30);
  // A masked number (from our own export) carries no information: leave it out.
  fields.contactPhone = phone && !phone.includes('*') ? phone : null;

  for (const f of ['licenseExpiry', 'insuranceExpiry'] as const) {
    const c = get(f);
    if (cellText(c)) {
      const d = parseDate(c);
      if (!d) err(f, `无法识别的日期「${cellText(c)}」（如 2026-12-31）`, `not a date: "${cellText(c)}"`);
      else fields[f] = d;
    }
  }
  for (const f of ['dinersCount', 'employees'] as const) {
    const c = get(f);
    if (cellText(c)) {
      const n = parseNumber(c);
      if (n == null || Number.isNaN(n) || n < 0 || !Number.isInteger(n) || n > 10_000_000) err(f, `应为非负整数，实为「${cellText(c)}」`, `not a whole number: "${cellText(c)}"`);
      else fields[f] = n;
    }
  }
  const rev = get('revenueWan');
  if (cellText(rev)) {
    const n = parseNumber(rev);
    if (n == null || Number.isNaN(n) || n < 0 || n > 1e9) err('revenueWan', `应为非负数（万元），实为「${cellText(rev)}」`, `not an amount in 万元: "${cellText(rev)}"`);
    else fields.revenueWan = n;
  }
  const risk = cellText(get('riskLevel'));
  if (risk) {
    const hit = RISK_WORDS.find(([re]) => re.test(risk));
    if (!hit) err('riskLevel', `无法识别的风险等级「${risk}」（高/较高/一般/低）`, `unknown risk level "${risk}"`);
    else fields.riskLevel = hit[1];
  }
  const credit = toHalfWidth(cellText(get('creditRiskClass'))).toUpperCase().replace(/类|级/g, '');
  if (credit) {
    if (!(CREDIT_RISK_CLASSES as readonly string[]).includes(credit)) err('creditRiskClass', `信用风险分类应为 A/B/C/D，实为「${credit}」`, `credit risk class must be A–D, not "${credit}"`);
    else fields.creditRiskClass = credit as CreditRiskClass;
  }
  const status = cellText(get('status'));
  if (status) {
    const hit = STATUS_WORDS.find(([re]) => re.test(status));
    if (!hit) err('status', `无法识别的状态「${status}」（在营/停产停业/吊销/注销）`, `unknown status "${status}"`);
    else fields.status = hit[1];
  }
  const insured = cellText(get('insured'));
  if (insured) {
    if (/^(是|已投保|有|y|yes|true|1)$/i.test(insured)) fields.insured = true;
    else if (/^(否|未投保|无|n|no|false|0)$/i.test(insured)) fields.insured = false;
    else err('insured', `应填「是」或「否」，实为「${insured}」`, `must be 是 or 否, not "${insured}"`);
  }
  const tagsText = cellText(get('productTags'));
  if (tagsText) {
    const tags = new Set<string>();
    for (const part of tagsText.split(/[,，、;；\s]+/).filter(Boolean)) {
      if (part in PRODUCT_TAGS) tags.add(part);
      for (const [re, tag] of TAG_WORDS) if (re.test(part)) tags.add(tag);
    }
    fields.productTags = [...tags];
  }
  const lat = get('lat');
  const lng = get('lng');
  if (cellText(lat) || cellText(lng)) {
    const la = parseNumber(lat);
    const ln = parseNumber(lng);
    if (la == null || Number.isNaN(la) || la < -90 || la > 90) err('lat', `纬度无效「${cellText(lat)}」`, `invalid latitude "${cellText(lat)}"`);
    else if (ln == null || Number.isNaN(ln) || ln < -180 || ln > 180) err('lng', `经度无效「${cellText(lng)}」`, `invalid longitude "${cellText(lng)}"`);
    else fields.location = { lat: la, lng: ln };
  }
  return { row: r.row, fields, unit, errors };
}

