import ExcelJS from 'exceljs';
import { BUSINESS_TYPE_LABELS, BUSINESS_TYPES } from '../../domain/grading.js';
import { PRODUCT_TAGS } from '../../domain/risk.js';

/** B4 import template: the headers staff fill, an example row and a sheet explaining each column. */
export const TEMPLATE_COLUMNS: { header: string; width: number; example: string | number | null; note: string }[] = [
  { header: '名称（必填）', width: 30, example: '某某区第一中学食堂', note: '主体名称' },
  { header: '统一社会信用代码', width: 22, example: null, note: '18位，校验位须正确' },
  { header: '许可证编号', width: 20, example: 'JY33503020000013', note: 'SC/JY 开头的许可证或小作坊登记证编号' },
  { header: '许可证有效期', width: 14, example: '2027-12-31', note: '日期，如 2027-12-31' },
  { header: '类型（必填）', width: 14, example: '学校食堂', note: BUSINESS_TYPES.map((t) => BUSINESS_TYPE_LABELS[t]).join('/') },
  { header: '所属单元（必填）', width: 30, example: '某社区/第1网格/第1单元', note: '单元编码，或 村社区/网格/单元 名称路径' },
  { header: '地址', width: 30, example: '某某路1号', note: '' },
  { header: '就餐人数', width: 10, example: 1200, note: '学校、幼儿园食堂必填（决定分级）' },
  { header: '从业人数', width: 10, example: 25, note: '生产、销售、餐饮按《统计上大中小微型企业划分标准（2017）》分级' },
  { header: '营业收入(万元)', width: 14, example: null, note: '上年营业收入，万元' },
  { header: '主要品种', width: 16, example: null, note: Object.values(PRODUCT_TAGS).join('、') + '（乳制品、肉制品生产为高风险）' },
  { header: '风险等级', width: 10, example: null, note: '高/较高/一般/低；不填则按规则计算' },
  { header: '信用风险分类', width: 12, example: null, note: 'A/B/C/D' },
  { header: '状态', width: 10, example: '在营', note: '在营/停产停业/吊销/注销' },
  { header: '食品安全总监', width: 12, example: null, note: '' },
  { header: '食品安全员', width: 12, example: '李四', note: '' },
  { header: '联系人', width: 10, example: '张三', note: '' },
  { header: '联系电话', width: 14, example: '13800138000', note: '' },
  { header: '是否投保', width: 10, example: '是', note: '食品安全责任保险：是/否' },
  { header: '保险到期日', width: 14, example: null, note: '' },
];

export async function importTemplate(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'FoodGrid 食安网格';
  const ws = wb.addWorksheet('主体导入');
  ws.columns = TEMPLATE_COLUMNS.map((c) => ({ header: c.header, width: c.width }));
  ws.getRow(1).font = { bold: true };
  ws.addRow(TEMPLATE_COLUMNS.map((c) => c.example));
  const typeList = BUSINESS_TYPES.map((t) => BUSINESS_TYPE_LABELS[t]).join(',');
  const typeCol = TEMPLATE_COLUMNS.findIndex((c) => c.header.startsWith('类型')) + 1;
  for (let r = 2; r <= 1000; r++) {
    ws.getCell(r, typeCol).dataValidation = { type: 'list', allowBlank: true, formulae: [`"${typeList}"`] };
  }
  const help = wb.addWorksheet('填写说明');
  help.columns = [
    { header: '列名', width: 18 },
    { header: '说明', width: 80 },
  ];
  help.getRow(1).font = { bold: true };
  for (const c of TEMPLATE_COLUMNS) help.addRow([c.header, c.note]);
  help.addRow([]);
  help.addRow(['注意', '任何一行有误则整个文件不导入，并逐行列出错误；表头上方可有标题行，空行会被跳过。']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
