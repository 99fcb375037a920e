/**
 * H5 demo accounts. ONE password for every demo account (documented in the README); it satisfies
 * the password policy and is never used outside demo mode.
 */
export const DEMO_PASSWORD = 'Demo@2026';

/** "Try these" accounts, one or more per role, as listed in the README. */
export const TRY_ACCOUNTS: { username: string; role: string; what: string }[] = [
  { username: 'admin', role: 'admin', what: '系统管理员（全市）' },
  { username: 'licheng_admin', role: 'admin', what: '荔城区系统管理员' },
  { username: 'city_staff', role: 'bureau_staff', what: '莆田市市场监督管理局（专班组长）' },
  { username: 'licheng_staff', role: 'bureau_staff', what: '荔城区市场监督管理局' },
  { username: 'xiuyu_staff', role: 'bureau_staff', what: '秀屿区市场监督管理局（不含湄洲岛、北岸）' },
  { username: 'meizhoudao_staff', role: 'bureau_staff', what: '湄洲岛分局' },
  { username: 'beian_staff', role: 'bureau_staff', what: '北岸分局' },
  { username: 'station_350304001_1', role: 'station_staff', what: '荔城区镇海市场监督管理所' },
  { username: 'brigade1_1', role: 'enforcement_officer', what: '执法支队一大队（荔城区）' },
  { username: 'xianyou_brigade_1', role: 'enforcement_officer', what: '仙游县执法大队' },
  { username: 'licheng_education', role: 'department_staff', what: '荔城区教育局' },
  { username: 'city_fso', role: 'food_safety_office', what: '莆田市食安办' },
  { username: 'fso_350304001', role: 'food_safety_office', what: '镇海街道食安办' },
  { username: 'village_350304001001', role: 'village_coordinator', what: '镇海街道第一个社区的协管员（平台中心）' },
  { username: 'gridlead_35030400100101', role: 'grid_leader', what: '该社区第1网格网格长' },
  { username: 'grid_35030400100101', role: 'grid_member', what: '该社区第1网格网格员' },
  { username: 'unit_3503040010010101', role: 'unit_leader', what: '该网格第1单元单元长' },
  { username: 'cadre_350304001_1', role: 'cadre', what: '镇海街道街道级包保干部' },
  { username: 'cadre_350304001001', role: 'cadre', what: '居民区级包保干部' },
  { username: 'inspector_licheng', role: 'inspector', what: '荔城区督查组' },
  { username: 'volunteer_350304001001', role: 'volunteer', what: '社会监督员' },
];
