import { describe, expect, it } from 'vitest';
import { settingsOf } from './store.js';

// N3: every report's context row carries the event settings as JSON text (or null when none is
// stored); they are parsed once while the text stays the same.
describe('settingsOf', () => {
  it('When no event setting is stored (null), then the defaults are parsed once and shared, frozen', () => {
    const a = settingsOf(null);
    expect(settingsOf(null)).toBe(a);
    expect(a.hotspotThreshold).toBe(3);
    expect(Object.isFrozen(a) && Object.isFrozen(a.deadlines)).toBe(true);
  });

  it('When the text changes, then it is parsed afresh; the same text again is the same object', () => {
    const low = settingsOf(JSON.stringify({ hotspot: { threshold: 2, days: 5 } }));
    expect(low.hotspotThreshold).toBe(2);
    expect(low.hotspotDays).toBe(5);
    expect(settingsOf(JSON.stringify({ hotspot: { threshold: 2, days: 5 } }))).toBe(low);
    const none = settingsOf(null);
    expect(none).not.toBe(low);
    expect(none.hotspotThreshold).toBe(3);
    expect(settingsOf(null)).toBe(none);
  });
});
