import { describe, expect, it } from 'vitest';
import { ancestorAt, checkChildLevel, childPath, depthOf, isWithin, minimalCover, pathIds } from './hierarchy.js';
import { DomainError } from './errors.js';

describe('materialised region paths', () => {
  it('When a child is added, then its path extends the parent path with its own id', () => {
    expect(childPath(null, 1)).toBe('/1/');
    expect(childPath('/1/', 7)).toBe('/1/7/');
    expect(childPath('/1/7/', 42)).toBe('/1/7/42/');
  });

  it('When a path is read, then ids come root first and depth counts from 0', () => {
    expect(pathIds('/1/7/42/')).toEqual([1, 7, 42]);
    expect(depthOf('/1/')).toBe(0);
    expect(depthOf('/1/7/42/')).toBe(2);
    expect(ancestorAt('/1/7/42/', 1)).toBe(7);
    expect(ancestorAt('/1/7/', 5)).toBeUndefined();
  });

  it('When ids share a prefix of digits, then one is not inside the other', () => {
    expect(isWithin('/1/23/', '/1/2/')).toBe(false);
    expect(isWithin('/1/2/3/', '/1/2/')).toBe(true);
    expect(isWithin('/1/2/', '/1/2/')).toBe(true);
  });

  it('When jurisdictions overlap, then the minimal cover keeps only the outermost', () => {
    expect(minimalCover(['/1/2/3/', '/1/2/', '/1/5/', '/1/5/'])).toEqual(['/1/2/', '/1/5/']);
    expect(minimalCover(['/1/23/', '/1/2/'])).toEqual(['/1/2/', '/1/23/']);
  });
});

describe('levels', () => {
  it('When a child is at or above its parent level, then it is refused naming the level field', () => {
    expect(() => checkChildLevel('township', 'county')).toThrow(DomainError);
    try {
      checkChildLevel('village', 'village');
    } catch (e) {
      expect((e as DomainError).field).toBe('level');
    }
    expect(() => checkChildLevel('village', 'grid')).not.toThrow();
    expect(() => checkChildLevel('city', 'township')).not.toThrow(); // cities without counties exist
    expect(() => checkChildLevel(null, 'city')).not.toThrow();
  });
});
