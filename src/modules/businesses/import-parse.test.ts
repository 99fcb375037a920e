import { describe, expect, it } from 'vitest';
import { fc, test as fcTest } from '@fast-check/vitest';
import { decodeText, findHeader, isNoiseRow, mapRow, parseCsv, parseDate, parseNumber, parseType } from './import-parse.js';
import { creditCodeCheckChar, isValidCreditCode, normalizeCode } from './rules.js';

describe('GB 32100 credit codes', () => {
  it('When a code carries the right check character, then it is valid; a changed character makes it invalid', () => {
    const body = '91350302MA2Y0C1E3';
    const code = body + creditCodeCheckChar(body);
    expect(isValidCreditCode(code)).toBe(true);
    const wrong = code.slice(0, 17) + (code[17] === '0' ? '1' : '0');
    expect(isValidCreditCode(wrong)).toBe(false);
    expect(isValidCreditCode(code.slice(0, 17))).toBe(false);
    expect(isValidCreditCode(code.replace('M', 'I'))).toBe(false); // I, O, S, V, Z are never used
  });

  fcTest.prop([fc.stringMatching(/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{9}$/), fc.integer({ min: 0, max: 16 }), fc.integer({ min: 1, max: 9 })])(
    'When one digit of a valid code is changed, then the check fails',
    (body, pos, delta) => {
      const code = body + creditCodeCheckChar(body);
      expect(isValidCreditCode(code)).toBe(true);
      const ch = code[pos];
      if (!/\d/.test(ch) || pos < 2 || pos > 7) return; // change a digit of the region part only
      const changed = code.slice(0, pos) + String((Number(ch) + delta) % 10) + code.slice(pos + 1);
      expect(isValidCreditCode(changed)).toBe(false);
    },
  );

  it('When staff paste a code with spaces, lower case or full-width letters, then it is normalised', () => {
    expect(normalizeCode(' ９１３５ 0302ma2y0c1e3x ')).toBe('91350302MA2Y0C1E3X');
  });
});

describe('cells as staff type them', () => {
  it.each([
    ['2027-06-30', '2027-06-30'],
    ['2027/6/3', '2027-06-03'],
    ['2027.06.30', '2027-06-30'],
    ['2027年6月30日', '2027-06-30'],
    ['20270630', '2027-06-30'],
    ['2022-07-01至2027-06-30', '2027-06-30'],
    ['２０２７－０６－３０', '2027-06-30'],
    ['2027-02-30', null],
    ['长期', null],
  ])('When a date is written %s, then it reads as %s', (input, out) => {
    expect(parseDate(input)).toBe(out);
  });

  it('When Excel stores a date or a date serial, then it reads as the calendar day', () => {
    expect(parseDate(new Date(Date.UTC(2027, 5, 30)))).toBe('2027-06-30');
    expect(parseDate(46568)).toBe('2027-06-30');
  });

  it.each([
    ['1,200', 1200],
    ['12人', 12],
    ['300.5万元', 300.5],
    ['１２', 12],
  ])('When a number is written %s, then it reads as %s', (input, out) => {
    expect(parseNumber(input)).toBe(out);
  });

  it('When a number cell holds words, then it is not a number', () => {
    expect(parseNumber('约十人')).toBeNaN();
  });

  it.each([
    ['餐饮服务', 'catering'],
    ['学校食堂', 'school_canteen'],
    ['中小学食堂', 'school_canteen'],
    ['幼儿园食堂', 'kindergarten_canteen'],
    ['食品生产企业', 'production'],
    ['食品加工小作坊', 'workshop'],
    ['食品摊贩', 'stall'],
    ['超市', 'sales'],
    ['家庭农场', 'farm'],
    ['production', 'production'],
    ['奇怪', null],
  ])('When the type is written %s, then it is %s', (input, out) => {
    expect(parseType(input)).toBe(out);
  });
});

describe('CSV and header detection', () => {
  it('When a CSV has quotes, doubled quotes, CRLF and a newline inside a field, then fields and line numbers are right', () => {
    const rows = parseCsv('名称,地址\r\n"甲,乙店","一路""1""号\n二楼"\r\n\r\n丙店,\r\n');
    expect(rows.map((r) => r.row)).toEqual([1, 2, 5]);
    expect(rows[1].cells).toEqual(['甲,乙店', '一路"1"号\n二楼']);
    expect(rows[2].cells).toEqual(['丙店', null]);
  });

  it('When a CSV is tab-separated, then tabs split the fields', () => {
    expect(parseCsv('名称\t类型\n某店\t餐饮\n')[1].cells).toEqual(['某店', '餐饮']);
  });

  it('When a CSV was saved by Excel in GBK or with a UTF-8 BOM, then the Chinese reads right', () => {
    expect(decodeText(Buffer.from([0xc3, 0xfb, 0xb3, 0xc6]))).toBe('名称');
    expect(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('名称')]))).toBe('名称');
  });

  it('When the header sits under title rows, then it is found; a two-row header under a merged group title is read as one', () => {
    const rows = [
      { row: 1, cells: ['某街道主体台账', '某街道主体台账', '某街道主体台账', '某街道主体台账'] },
      { row: 2, cells: ['序号', '名称', '类型', '规模', '规模'] },
      { row: 3, cells: ['序号', '名称', '类型', '从业人数', '营业收入(万元)'] },
      { row: 4, cells: [1, '某店', '餐饮', 12, 150] },
    ];
    const h = findHeader(rows as any)!;
    expect(h.index).toBe(2);
    expect([...h.columns.entries()]).toEqual(expect.arrayContaining([[1, 'name'], [2, 'type'], [3, 'employees'], [4, 'revenueWan']]));
  });

  it('When header cells carry 必填 marks, asterisks or full-width brackets, then they still match', () => {
    const h = findHeader([{ row: 1, cells: ['*名称（必填）', '类型 ', '营业收入（万元）'] }])!;
    expect([...h.columns.values()]).toEqual(['name', 'type', 'revenueWan']);
  });

  it('When rows are blank, footers or section titles, then they are noise; a business row is not', () => {
    expect(isNoiseRow([null, '', null])).toBe(true);
    expect(isNoiseRow(['填表人：张三', null, '电话'])).toBe(true);
    expect(isNoiseRow(['合计', 12])).toBe(true);
    expect(isNoiseRow(['一、餐饮服务', '一、餐饮服务', '一、餐饮服务'])).toBe(true);
    expect(isNoiseRow(['（二）学校食堂'])).toBe(true);
    expect(isNoiseRow([1, '某店', '餐饮'])).toBe(false);
  });

  it('When a row is mapped, then every problem is reported with its row, field and the column as written', () => {
    const h = findHeader([{ row: 4, cells: ['企业名称', '业态', '所属单元', '就餐人数', '风险等级', '是否投保'] }])!;
    const p = mapRow({ row: 9, cells: ['', '火星业态', '', '很多', '极高', '也许'] }, h);
    expect(p.errors.map((e) => `${e.row}:${e.field}:${e.column}`)).toEqual([
      '9:name:企业名称',
      '9:type:业态',
      '9:unit:所属单元',
      '9:dinersCount:就餐人数',
      '9:riskLevel:风险等级',
      '9:insured:是否投保',
    ]);
  });
});
