/**
 * Chinese first (zh-CN is the default), English on request. The choice is kept in localStorage
 * (`foodgrid.lang`) and shared by the three apps; `t({zh, en})` picks the text. The console maps
 * the language to antd's `zh_CN` / `en_US` locale. Shared labels for the codes the API returns
 * (states, tiers, channels, roles, region levels, organisation and business types) live here so
 * every screen names things the same way.
 */
export type Lang = 'zh' | 'en';
export interface Text {
  zh: string;
  en: string;
}

const KEY = 'foodgrid.lang';
const listeners = new Set<(l: Lang) => void>();

function initial(): Lang {
  try {
    const v = globalThis.localStorage?.getItem(KEY);
    if (v === 'en' || v === 'zh') return v;
  } catch {
    /* private mode: default */
  }
  return 'zh';
}

let current: Lang = initial();

export function getLang(): Lang {
  return current;
}

export function setLang(l: Lang) {
  current = l;
  try {
    globalThis.localStorage?.setItem(KEY, l);
  } catch {
    /* ignore */
  }
  if (typeof document !== 'undefined') document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
  listeners.forEach((f) => f(l));
}

export function onLangChange(f: (l: Lang) => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

/** `t({zh:'事件', en:'Event'})`, or `t('事件', 'Event')`. */
export function t(text: Text | string, en?: string): string {
  if (typeof text === 'string') return current === 'en' && en !== undefined ? en : text;
  return current === 'en' ? text.en : text.zh;
}

/** The label of a code from one of the tables below; the code itself when unknown. */
export function label(table: Record<string, Text>, code: string | null | undefined): string {
  if (code === null || code === undefined || code === '') return '—';
  const l = table[code];
  return l ? t(l) : code;
}

export const EVENT_STATES: Record<string, Text> = {
  open: { zh: '待受理', en: 'Open' },
  in_progress: { zh: '处置中', en: 'In progress' },
  rectifying: { zh: '整改中', en: 'Rectifying' },
  resolved: { zh: '已办结待反馈', en: 'Resolved' },
  closed: { zh: '已关闭', en: 'Closed' },
  rejected: { zh: '不予受理', en: 'Rejected' },
  merged: { zh: '已合并', en: 'Merged' },
};

export const TIERS: Record<string, Text> = {
  grid: { zh: '网格', en: 'Grid' },
  grid_leader: { zh: '网格长', en: 'Grid leader' },
  village: { zh: '村（社区）', en: 'Village' },
  station: { zh: '市场监管所', en: 'Station' },
  county: { zh: '县级', en: 'County' },
  city: { zh: '市级', en: 'City' },
  department: { zh: '职能部门', en: 'Department' },
  enforcement: { zh: '执法机构', en: 'Enforcement' },
  cadre: { zh: '包保干部', en: 'Cadre' },
};

export const CHANNELS: Record<string, Text> = {
  grid_patrol: { zh: '网格巡查', en: 'Grid patrol' },
  department_patrol: { zh: '部门巡查', en: 'Department patrol' },
  public_report: { zh: '群众举报', en: 'Public report' },
  self_inspection: { zh: '企业自查', en: 'Self-inspection' },
  supervision: { zh: '监督检查', en: 'Supervision' },
  external: { zh: '上级交办/外部', en: 'External' },
};

export const ROLES: Record<string, Text> = {
  admin: { zh: '系统管理员', en: 'Administrator' },
  unit_leader: { zh: '单元长', en: 'Unit leader' },
  grid_member: { zh: '网格员', en: 'Grid member' },
  grid_leader: { zh: '网格长', en: 'Grid leader' },
  village_coordinator: { zh: '村居食品安全协管员', en: 'Village coordinator' },
  station_staff: { zh: '市场监管所人员', en: 'Station staff' },
  bureau_staff: { zh: '县/市局科室人员', en: 'Bureau staff' },
  enforcement_officer: { zh: '执法人员', en: 'Enforcement officer' },
  department_staff: { zh: '其他部门人员', en: 'Department staff' },
  food_safety_office: { zh: '食安办', en: 'Food-safety office' },
  cadre: { zh: '包保干部', en: 'Responsible cadre' },
  inspector: { zh: '督查组', en: 'Inspector' },
  business: { zh: '食品生产经营者', en: 'Food business' },
  volunteer: { zh: '志愿者/社会监督员', en: 'Volunteer' },
};

export const REGION_LEVELS: Record<string, Text> = {
  country: { zh: '国家', en: 'Country' },
  province: { zh: '省', en: 'Province' },
  city: { zh: '市', en: 'City' },
  county: { zh: '县（区）', en: 'County' },
  township: { zh: '乡镇（街道）', en: 'Township' },
  village: { zh: '村（社区）', en: 'Village' },
  grid: { zh: '网格', en: 'Grid' },
  unit: { zh: '单元', en: 'Unit' },
};

export const ORG_TYPES: Record<string, Text> = {
  city_bureau: { zh: '市市场监管局', en: 'City bureau' },
  county_bureau: { zh: '县市场监管局', en: 'County bureau' },
  station: { zh: '市场监管所', en: 'Station' },
  enforcement_brigade: { zh: '执法大队', en: 'Enforcement brigade' },
  food_safety_office: { zh: '食安办', en: 'Food-safety office' },
  platform_center: { zh: '综治/平台中心', en: 'Platform centre' },
  department: { zh: '职能部门', en: 'Department' },
};

export const BUSINESS_TYPES: Record<string, Text> = {
  production: { zh: '食品生产', en: 'Production' },
  sales: { zh: '食品销售', en: 'Sales' },
  catering: { zh: '餐饮服务', en: 'Catering' },
  school_canteen: { zh: '学校食堂', en: 'School canteen' },
  kindergarten_canteen: { zh: '幼儿园食堂', en: 'Kindergarten canteen' },
  workshop: { zh: '食品小作坊', en: 'Workshop' },
  stall: { zh: '食品摊贩', en: 'Stall' },
  farm: { zh: '农家乐/种养殖', en: 'Farm' },
  other: { zh: '其他', en: 'Other' },
};

export const ACTIONS: Record<string, Text> = {
  accept: { zh: '受理', en: 'Accept' },
  escalate: { zh: '上报', en: 'Escalate' },
  skip_escalate: { zh: '越级上报', en: 'Skip-level escalate' },
  transfer: { zh: '移交部门', en: 'Transfer to department' },
  return: { zh: '退回', en: 'Return' },
  refer_enforcement: { zh: '移送执法', en: 'Refer to enforcement' },
  record_case: { zh: '记录立案结果', en: 'Record case' },
  order_rectification: { zh: '责令整改', en: 'Order rectification' },
  submit_rectification: { zh: '提交整改', en: 'Submit rectification' },
  verify_rectification: { zh: '整改复核', en: 'Verify rectification' },
  request_assist: { zh: '请求协办', en: 'Request assistance' },
  resolve: { zh: '办结', en: 'Resolve' },
  feedback: { zh: '反馈', en: 'Feedback' },
  close: { zh: '关闭', en: 'Close' },
  reject: { zh: '不予受理', en: 'Reject' },
  merge: { zh: '合并', en: 'Merge' },
  reopen: { zh: '重新打开', en: 'Reopen' },
  comment: { zh: '备注', en: 'Comment' },
  create: { zh: '创建', en: 'Create' },
  created: { zh: '创建', en: 'Created' },
  assist_done: { zh: '协办完成', en: 'Assistance done' },
  overdue: { zh: '超时', en: 'Overdue' },
  auto_escalate: { zh: '超时自动上报', en: 'Auto-escalated (overdue)' },
};

export const SKIP_REASONS: Record<string, Text> = {
  hotspot: { zh: '社会热点', en: 'Public hotspot' },
  major: { zh: '重大事件', en: 'Major incident' },
  difficult: { zh: '疑难复杂', en: 'Difficult case' },
  other: { zh: '其他', en: 'Other' },
};

export const PENALTIES: Record<string, Text> = {
  none: { zh: '不予处罚', en: 'None' },
  warning: { zh: '警告', en: 'Warning' },
  fine: { zh: '罚款', en: 'Fine' },
  suspension: { zh: '责令停产停业', en: 'Suspension' },
  revocation: { zh: '吊销许可证', en: 'Revocation' },
};

export const GRADES: Record<string, Text> = {
  A: { zh: 'A级（低风险）', en: 'A (low risk)' },
  B: { zh: 'B级', en: 'B' },
  C: { zh: 'C级', en: 'C' },
  D: { zh: 'D级（高风险）', en: 'D (high risk)' },
};

export const RISK_LEVELS: Record<string, Text> = {
  high: { zh: '高风险', en: 'High' },
  medium: { zh: '较高风险', en: 'Medium' },
  normal: { zh: '一般', en: 'Normal' },
  low: { zh: '低风险', en: 'Low' },
};

export const BUSINESS_STATUSES: Record<string, Text> = {
  operating: { zh: '在营', en: 'Operating' },
  suspended: { zh: '停产停业', en: 'Suspended' },
  revoked: { zh: '吊销许可证', en: 'Licence revoked' },
  closed: { zh: '注销/歇业', en: 'Closed' },
};

/** "2天3小时" / "2 d 3 h" until (positive) or past (negative) a deadline. */
export function formatDuration(ms: number): string {
  const neg = ms < 0;
  let m = Math.floor(Math.abs(ms) / 60_000);
  const d = Math.floor(m / 1440);
  m -= d * 1440;
  const h = Math.floor(m / 60);
  m -= h * 60;
  const zh = d ? `${d}天${h}小时` : h ? `${h}小时${m}分` : `${m}分钟`;
  const en = d ? `${d} d ${h} h` : h ? `${h} h ${m} min` : `${m} min`;
  return current === 'en' ? (neg ? `${en} overdue` : `${en} left`) : neg ? `已超时${zh}` : `剩余${zh}`;
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
