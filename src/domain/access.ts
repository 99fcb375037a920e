import type { Role } from './roles.js';
import { minimalCover } from './hierarchy.js';

/**
 * Who the caller is, as the access rules see it. `scope` is the set of region-path prefixes the
 * caller may see (I4); an object is inside when its region path starts with one of them.
 */
export interface Actor {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  regionId: number | null;
  organizationId: number | null;
  organizationType: string | null;
  scope: string[];
  /** Role business: the business this account speaks for. */
  businessId?: string | null;
}

/**
 * I4 jurisdiction. An organisation's jurisdiction (a brigade's districts, a branch bureau's
 * townships) is the scope of its members; a member whose home region lies inside it is narrowed
 * to that region (a station's staff member kept to one township). Without an organisation
 * jurisdiction the home region's subtree is the scope. An admin without a region sees everything.
 */
export function scopeOf(input: {
  role: Role;
  regionPath: string | null;
  organizationJurisdictionPaths: string[];
}): string[] {
  const { role, regionPath, organizationJurisdictionPaths: orgPaths } = input;
  if (role === 'admin' && !regionPath) return ['/'];
  if (orgPaths.length) {
    if (regionPath && orgPaths.some((p) => regionPath.startsWith(p))) return [regionPath];
    return minimalCover(orgPaths);
  }
  return regionPath ? [regionPath] : [];
}

export function inScope(scope: readonly string[], regionPath: string | null | undefined): boolean {
  if (!regionPath) return false;
  return scope.some((p) => regionPath.startsWith(p));
}

/** Permissions by role. Route handlers declare one; jurisdiction is checked separately per object. */
export const PERMISSIONS = {
  'regions.write': ['admin'],
  'organizations.write': ['admin'],
  'users.write': ['admin'],
  'users.read': ['admin', 'station_staff', 'bureau_staff', 'food_safety_office', 'enforcement_officer'],
  'businesses.write': ['admin', 'station_staff', 'bureau_staff', 'food_safety_office'],
  'businesses.grade_override': ['admin', 'station_staff', 'bureau_staff'],
  'businesses.import': ['admin', 'station_staff', 'bureau_staff', 'food_safety_office'],
  'catalogue.write': ['admin'],
  'settings.write': ['admin'],
  'audit.read': ['admin'],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}
