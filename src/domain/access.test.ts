import { describe, expect, it } from 'vitest';
import { can, inScope, PERMISSIONS, scopeOf } from './access.js';
import { ROLES } from './roles.js';

describe('jurisdiction scope (I4)', () => {
  it('When an admin has no region, then the whole tree is in scope', () => {
    expect(scopeOf({ role: 'admin', regionPath: null, organizationJurisdictionPaths: [] })).toEqual(['/']);
    expect(inScope(['/'], '/9/8/7/')).toBe(true);
  });

  it('When a regional admin has a region, then only that subtree', () => {
    expect(scopeOf({ role: 'admin', regionPath: '/1/2/', organizationJurisdictionPaths: [] })).toEqual(['/1/2/']);
  });

  it('When a user has only a home region, then the scope is its subtree', () => {
    const s = scopeOf({ role: 'station_staff', regionPath: '/1/2/5/', organizationJurisdictionPaths: [] });
    expect(inScope(s, '/1/2/5/9/')).toBe(true);
    expect(inScope(s, '/1/2/6/')).toBe(false);
    expect(inScope(s, '/1/2/')).toBe(false);
  });

  it('When an organisation covers regions that differ from the seat (a brigade), then its members see those regions', () => {
    const s = scopeOf({ role: 'enforcement_officer', regionPath: '/1/', organizationJurisdictionPaths: ['/1/3/', '/1/4/'] });
    expect(s).toEqual(['/1/3/', '/1/4/']);
    expect(inScope(s, '/1/3/77/')).toBe(true);
    expect(inScope(s, '/1/5/')).toBe(false);
  });

  it('When the home region lies inside the organisation jurisdiction, then the member is narrowed to it', () => {
    expect(scopeOf({ role: 'station_staff', regionPath: '/1/2/5/', organizationJurisdictionPaths: ['/1/2/'] })).toEqual(['/1/2/5/']);
  });

  it('When a user has neither region nor organisation jurisdiction, then nothing is in scope', () => {
    const s = scopeOf({ role: 'grid_member', regionPath: null, organizationJurisdictionPaths: [] });
    expect(s).toEqual([]);
    expect(inScope(s, '/1/')).toBe(false);
  });

  it('When an object has no region, then it is never in scope of a regional user', () => {
    expect(inScope(['/1/'], null)).toBe(false);
  });
});

describe('role permissions (I3)', () => {
  it('When the permission table is read, then only admins configure the hierarchy, users and catalogue', () => {
    for (const role of ROLES) {
      expect(can(role, 'regions.write')).toBe(role === 'admin');
      expect(can(role, 'users.write')).toBe(role === 'admin');
      expect(can(role, 'catalogue.write')).toBe(role === 'admin');
    }
  });

  it('When field roles ask to import businesses, then they may not', () => {
    for (const role of ['grid_member', 'unit_leader', 'grid_leader', 'business', 'volunteer'] as const) {
      expect(can(role, 'businesses.import')).toBe(false);
    }
    expect(can('station_staff', 'businesses.import')).toBe(true);
    expect(Object.keys(PERMISSIONS).length).toBeGreaterThan(5);
  });
});
