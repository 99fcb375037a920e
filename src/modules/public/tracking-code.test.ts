import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { formatTrackingCode, newTrackingCode, normalizeTrackingCode, TRACKING_ALPHABET } from './tracking-code.js';

describe('tracking codes', () => {
  it('When the alphabet is inspected, then it has 31 symbols and none of the look-alikes 0 O 1 I L', () => {
    expect(TRACKING_ALPHABET).toHaveLength(31);
    expect(new Set(TRACKING_ALPHABET).size).toBe(31);
    for (const c of '0O1IL') expect(TRACKING_ALPHABET).not.toContain(c);
  });

  it('When many codes are made, then each is 10 symbols from the alphabet and they do not repeat', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const c = newTrackingCode();
      expect(c).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{10}$/);
      seen.add(c);
    }
    expect(seen.size).toBe(2000);
  });

  test.prop([fc.array(fc.nat({ max: 30 }), { minLength: 10, maxLength: 10 })])(
    'When a code is typed in lower case, with spaces or grouped with a dash, then it normalises back to itself',
    (digits) => {
      let i = 0;
      const code = newTrackingCode(() => digits[i++]);
      expect(normalizeTrackingCode(code.toLowerCase())).toBe(code);
      expect(normalizeTrackingCode(formatTrackingCode(code))).toBe(code);
      expect(normalizeTrackingCode(` ${code.slice(0, 3)} ${code.slice(3)} `)).toBe(code);
    },
  );

  it('When the input has a look-alike, a wrong length or other characters, then it is not a code', () => {
    expect(normalizeTrackingCode('ABCDE0GHJK')).toBeNull();
    expect(normalizeTrackingCode('ABCDEIGHJK')).toBeNull();
    expect(normalizeTrackingCode('ABCDEFGHJ')).toBeNull();
    expect(normalizeTrackingCode('ABCDEFGHJKM')).toBeNull();
    expect(normalizeTrackingCode("ABCDE'GHJK")).toBeNull();
  });
});
