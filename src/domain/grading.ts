/**
 * B2 grading of food businesses (包保主体分级) — seed 003 (古美路街道, 闵古办〔2022〕40号 §三(一))
 * on top of 《统计上大中小微型企业划分标准（2017）》 (国统字〔2017〕213号).
 *
 * Seed 003 maps the statistical size classes to the 包保 grades:
 *   A（大型） B（中型） C（小型） D（微型）, with these explicit rules:
 *   B: 中小型食品生产企业, 中型食品销售企业、餐饮企业, 用餐人数500人以上3000人以下的学校食堂,
 *      用餐人数300人以上500人以下的幼儿园食堂;
 *   C: 微型食品生产企业、食品加工小作坊, 小型食品销售企业、餐饮企业, 用餐人数200人以上500人以下的
 *      学校食堂, 用餐人数100人以上300人以下的幼儿园食堂;
 *   D: 微型食品销售企业、餐饮企业, 用餐人数200人以下的学校食堂, 用餐人数100人以下的幼儿园食堂,
 *      以及其他食品经营者.
 * A is "大型" — the seed lists no A rule, so (as in the national 食安办发〔2022〕4号 practice) large
 * producers, sellers and caterers are A, and canteens above the top B band are A: school canteens
 * over 3000 diners, kindergarten canteens over 500 diners.
 *
 * Boundaries. In Chinese legal drafting "以上/以下" include the number itself (刑法第九十九条), so
 * the seed's bands touch: 500 is both "500人以上" (B) and "500人以下" (C). Where two bands share a
 * number, the HIGHER grade applies — the stricter supervision wins, and it is the reading that
 * leaves no business under-supervised. Hence school canteens: ≥3000 → A, 500–2999 → B,
 * 200–499 → C, <200 → D; kindergarten canteens: ≥500 → A, 300–499 → B, 100–299 → C, <100 → D.
 *
 * The statistical standard: large, medium and small must reach BOTH lower bounds (employees X and
 * operating revenue Y, 万元) of their class, otherwise they fall one class; micro needs only one
 * indicator below the small bounds. Thresholds used (国统字〔2017〕213号 附表):
 *   工业 (food production)       large X≥1000 & Y≥40000; medium X≥300 & Y≥2000; small X≥20 & Y≥300
 *   批发业 (wholesale)            large X≥200  & Y≥40000; medium X≥20  & Y≥5000; small X≥5  & Y≥1000
 *   零售业 (retail)               large X≥300  & Y≥20000; medium X≥50  & Y≥500;  small X≥10 & Y≥100
 *   餐饮业 (catering; = 住宿业)    large X≥300  & Y≥10000; medium X≥100 & Y≥2000; small X≥10 & Y≥100
 *   农、林、牧、渔业 (farms)        revenue only: large Y≥20000; medium Y≥500; small Y≥50
 * Food sales use the retail table unless the business is tagged `wholesale` (批发).
 *
 * Missing figures: with only one indicator known, it alone decides (as the standard itself does
 * for single-indicator industries); with none, the business is treated as micro (the commonest
 * case for unsurveyed businesses) and `basis` says so, so the registry can list them for survey.
 */

export type Grade = 'A' | 'B' | 'C' | 'D';
export type SizeClass = 'large' | 'medium' | 'small' | 'micro';
export const GRADES: readonly Grade[] = ['A', 'B', 'C', 'D'];

export const BUSINESS_TYPES = [
  'production',
  'sales',
  'catering',
  'school_canteen',
  'kindergarten_canteen',
  'workshop',
  'stall',
  'farm',
  'other',
] as const;
export type BusinessType = (typeof BUSINESS_TYPES)[number];

export const BUSINESS_TYPE_LABELS: Record<BusinessType, string> = {
  production: '食品生产',
  sales: '食品销售',
  catering: '餐饮服务',
  school_canteen: '学校食堂',
  kindergarten_canteen: '幼儿园食堂',
  workshop: '食品小作坊',
  stall: '食品摊贩',
  farm: '农场/合作社',
  other: '其他',
};

export type SizeIndustry = 'industry' | 'wholesale' | 'retail' | 'catering' | 'agriculture';

interface Bound {
  employees: number | null;
  revenueWan: number;
}

/** Lower bounds per class (国统字〔2017〕213号). `employees: null` = the industry uses revenue only. */
export const SIZE_STANDARD_2017: Record<SizeIndustry, { large: Bound; medium: Bound; small: Bound }> = {
  industry: { large: { employees: 1000, revenueWan: 40000 }, medium: { employees: 300, revenueWan: 2000 }, small: { employees: 20, revenueWan: 300 } },
  wholesale: { large: { employees: 200, revenueWan: 40000 }, medium: { employees: 20, revenueWan: 5000 }, small: { employees: 5, revenueWan: 1000 } },
  retail: { large: { employees: 300, revenueWan: 20000 }, medium: { employees: 50, revenueWan: 500 }, small: { employees: 10, revenueWan: 100 } },
  catering: { large: { employees: 300, revenueWan: 10000 }, medium: { employees: 100, revenueWan: 2000 }, small: { employees: 10, revenueWan: 100 } },
  agriculture: { large: { employees: null, revenueWan: 20000 }, medium: { employees: null, revenueWan: 500 }, small: { employees: null, revenueWan: 50 } },
};

const known = (n: number | null | undefined): n is number => typeof n === 'number' && Number.isFinite(n);

/** The statistical size class; `basis` tells which indicators decided it. */
export function sizeClass(
  industry: SizeIndustry,
  employees: number | null | undefined,
  revenueWan: number | null | undefined,
): { size: SizeClass; basis: 'both' | 'employees' | 'revenue' | 'none' } {
  const std = SIZE_STANDARD_2017[industry];
  const useEmployees = known(employees) && std.small.employees !== null;
  const useRevenue = known(revenueWan);
  const basis = useEmployees && useRevenue ? 'both' : useEmployees ? 'employees' : useRevenue ? 'revenue' : 'none';
  if (basis === 'none') return { size: 'micro', basis };
  const reaches = (b: Bound) =>
    (!useEmployees || b.employees === null || (employees as number) >= b.employees) && (!useRevenue || (revenueWan as number) >= b.revenueWan);
  if (reaches(std.large)) return { size: 'large', basis };
  if (reaches(std.medium)) return { size: 'medium', basis };
  if (reaches(std.small)) return { size: 'small', basis };
  return { size: 'micro', basis };
}

export interface GradeInput {
  type: BusinessType;
  employees?: number | null;
  revenueWan?: number | null;
  dinersCount?: number | null;
  productTags?: readonly string[] | null;
}

export interface GradeResult {
  grade: Grade;
  /** Statistical size class when one applies (not for canteens, workshops, stalls). */
  size: SizeClass | null;
  /** What decided it: the indicators used, the diner band, or the type rule. */
  basis: string;
  /** One-line explanation in Chinese for the business page. */
  reasonZh: string;
}

const SIZE_ZH: Record<SizeClass, string> = { large: '大型', medium: '中型', small: '小型', micro: '微型' };
const BASIS_ZH: Record<string, string> = {
  both: '按从业人员和营业收入',
  employees: '仅按从业人员（营业收入未填）',
  revenue: '仅按营业收入（从业人员未填）',
  none: '规模数据未填，暂按微型',
};

/** Seed 003 diner bands; the higher grade wins on a shared boundary (see the file comment). */
export const CANTEEN_BANDS: Record<'school_canteen' | 'kindergarten_canteen', { A: number; B: number; C: number }> = {
  school_canteen: { A: 3000, B: 500, C: 200 },
  kindergarten_canteen: { A: 500, B: 300, C: 100 },
};

export function computeGrade(input: GradeInput): GradeResult {
  const { type } = input;
  switch (type) {
    case 'school_canteen':
    case 'kindergarten_canteen': {
      const bands = CANTEEN_BANDS[type];
      const label = BUSINESS_TYPE_LABELS[type];
      const n = input.dinersCount;
      if (!known(n)) return { grade: 'D', size: null, basis: 'diners_unknown', reasonZh: `${label}用餐人数未填，暂按D级` };
      const grade: Grade = n >= bands.A ? 'A' : n >= bands.B ? 'B' : n >= bands.C ? 'C' : 'D';
      const band =
        grade === 'A' ? `${bands.A}人以上` : grade === 'B' ? `${bands.B}–${bands.A - 1}人` : grade === 'C' ? `${bands.C}–${bands.B - 1}人` : `${bands.C}人以下`;
      return { grade, size: null, basis: 'diners', reasonZh: `${label}用餐人数${n}人（${band}）→ ${grade}级` };
    }
    case 'workshop':
      return { grade: 'C', size: null, basis: 'type', reasonZh: '食品加工小作坊 → C级' };
    case 'stall':
    case 'other':
      return { grade: 'D', size: null, basis: 'type', reasonZh: `${BUSINESS_TYPE_LABELS[type]}（其他食品经营者）→ D级` };
    case 'production': {
      const { size, basis } = sizeClass('industry', input.employees, input.revenueWan);
      // seed 003: 中小型食品生产企业 → B, 微型食品生产企业 → C; large → A.
      const grade: Grade = size === 'large' ? 'A' : size === 'micro' ? 'C' : 'B';
      return { grade, size, basis, reasonZh: `${SIZE_ZH[size]}食品生产企业（工业标准，${BASIS_ZH[basis]}）→ ${grade}级` };
    }
    case 'sales':
    case 'catering':
    case 'farm': {
      const industry: SizeIndustry =
        type === 'catering' ? 'catering' : type === 'farm' ? 'agriculture' : input.productTags?.includes('wholesale') ? 'wholesale' : 'retail';
      const { size, basis } = sizeClass(industry, input.employees, input.revenueWan);
      const grade: Grade = size === 'large' ? 'A' : size === 'medium' ? 'B' : size === 'small' ? 'C' : 'D';
      const industryZh = { catering: '餐饮业', agriculture: '农林牧渔业', wholesale: '批发业', retail: '零售业', industry: '工业' }[industry];
      return { grade, size, basis, reasonZh: `${SIZE_ZH[size]}${BUSINESS_TYPE_LABELS[type]}（${industryZh}标准，${BASIS_ZH[basis]}）→ ${grade}级` };
    }
  }
}

/** The grade in force: a recorded manual override wins over the computed one. */
export function effectiveGrade(computed: Grade, override: Grade | null | undefined): Grade {
  return override ?? computed;
}
