import { describe, expect, it } from 'vitest';
import { isValidUscc, jyLicence, orgCodeCheck, scLicence, uscc, usccCheck } from './codes.js';

describe('demo registry identifiers', () => {
  it('When a published credit code is checked, then its GB 32100 check character matches', () => {
    // 91350100M000100Y43 is a widely published example code.
    expect(usccCheck('91350100M000100Y4')).toBe('3');
    expect(isValidUscc('91350100M000100Y43')).toBe(true);
    expect(isValidUscc('91350100M000100Y44')).toBe(false);
  });

  it('When an organisation code body is checked, then the GB 11714 check character is computed', () => {
    // The organisation code inside 91350100M000100Y43 is M000100Y-4.
    expect(orgCodeCheck('M000100Y')).toBe('4');
    expect(orgCodeCheck('M000100Z')).not.toBe('4');
  });

  it('When demo credit codes are generated, then they are 18 characters with valid check characters and distinct', () => {
    const codes = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const c = uscc(i % 2 ? '1' : '2', '350304', 10000000 + i * 7919);
      expect(c).toHaveLength(18);
      expect(isValidUscc(c)).toBe(true);
      codes.add(c);
    }
    expect(codes.size).toBe(2000);
  });

  it('When licence numbers are generated, then they are JY/SC followed by 14 digits', () => {
    expect(jyLicence(2, '350304', 123)).toMatch(/^JY2350304000123\d$/);
    expect(scLicence(101, '350322', 45)).toMatch(/^SC1013503220045\d$/);
  });
});
