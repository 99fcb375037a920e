import { describe, expect, it } from 'vitest';
import { validate, version } from 'uuid';
import { newId } from './ids.js';

describe('newId (UUID v7 from a random pool)', () => {
  it('makes valid version-7 ids that keep increasing and never repeat, across pool refills', () => {
    const ids = Array.from({ length: 2000 }, () => newId());
    for (const id of ids.slice(0, 50)) {
      expect(validate(id)).toBe(true);
      expect(version(id)).toBe(7);
      expect(id[19]).toMatch(/[89ab]/); // RFC 9562 variant
    }
    expect(new Set(ids).size).toBe(ids.length);
    // 2,000 ids span several pools of 256; within this process they sort as they were made
    expect([...ids].sort()).toEqual(ids);
  });

  it('carries the time of its making in the first 48 bits', () => {
    const before = Date.now();
    const id = newId();
    const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(Date.now() + 1);
  });

  it('does not reuse random bits: ids made in one millisecond differ beyond the counter', () => {
    const ids = Array.from({ length: 300 }, () => newId());
    const tails = new Set(ids.map((id) => id.slice(-12)));
    expect(tails.size).toBe(ids.length);
  });
});
