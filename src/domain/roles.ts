export const ROLES = [
  'admin',
  'unit_leader',
  'grid_member',
  'grid_leader',
  'village_coordinator',
  'station_staff',
  'bureau_staff',
  'enforcement_officer',
  'department_staff',
  'food_safety_office',
  'cadre',
  'inspector',
  'business',
  'volunteer',
] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, { zh: string; en: string }> = {
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

/** Roles that work in the field app rather than the console. */
export const FIELD_ROLES: readonly Role[] = ['unit_leader', 'grid_member', 'grid_leader', 'village_coordinator', 'cadre', 'volunteer', 'business'];

export const REGION_LEVELS = ['country', 'province', 'city', 'county', 'township', 'village', 'grid', 'unit'] as const;
export type RegionLevel = (typeof REGION_LEVELS)[number];

export const ORG_TYPES = [
  'city_bureau',
  'county_bureau',
  'station',
  'enforcement_brigade',
  'food_safety_office',
  'platform_center',
  'department',
] as const;
export type OrgType = (typeof ORG_TYPES)[number];
