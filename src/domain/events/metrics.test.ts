import { describe, expect, it } from 'vitest';
import { addFigures, chinaMonthStart, chinaWeeks, emptyFigures, splitPeriod, summarizeFigures } from './metrics.js';

describe('E14 metrics periods', () => {
  it('When a date falls inside a China month, then the month starts at 00:00 UTC+8 on the 1st', () => {
    const d = new Date('2026-03-15T10:00:00Z');
    expect(chinaMonthStart(d, 'floor').toISOString()).toBe('2026-02-28T16:00:00.000Z');
    expect(chinaMonthStart(d, 'ceil').toISOString()).toBe('2026-03-31T16:00:00.000Z');
    // 1 March 03:00 China time is still March; 28 Feb 20:00 UTC is already 1 March in China
    expect(chinaMonthStart(new Date('2026-02-28T20:00:00Z'), 'floor').toISOString()).toBe('2026-02-28T16:00:00.000Z');
    // a month start is its own floor and ceiling
    expect(chinaMonthStart(new Date('2026-02-28T16:00:00Z'), 'ceil').toISOString()).toBe('2026-02-28T16:00:00.000Z');
  });

  it('When a period is split, then whole months go to the rollup and the partial ends are scanned', () => {
    const from = new Date('2026-01-10T00:00:00Z');
    const to = new Date('2026-04-20T00:00:00Z');
    expect(splitPeriod(from, to)).toEqual({
      months: { from: '2026-02-01', to: '2026-04-01' },
      live: [
        { from, to: new Date('2026-01-31T16:00:00Z') },
        { from: new Date('2026-03-31T16:00:00Z'), to },
      ],
    });
    expect(splitPeriod(undefined, undefined)).toEqual({ months: { from: undefined, to: undefined }, live: [] });
    expect(splitPeriod(new Date('2026-04-03T00:00:00Z'), new Date('2026-04-20T00:00:00Z')).months).toBeNull();
    expect(splitPeriod(new Date('2026-01-31T16:00:00Z'), undefined)).toEqual({ months: { from: '2026-02-01', to: undefined }, live: [] });
  });

  it('When figures are added, then every count and sum adds up, tier by tier', () => {
    const a = emptyFigures();
    a.byState.open = 2;
    a.total = 2;
    a.dwell.grid = { stays: 1, doneMs: 10, open: 1, openEnteredSec: 5 };
    const b = emptyFigures();
    b.byState.open = 1;
    b.byState.closed = 3;
    b.total = 4;
    b.closeMs = 7;
    b.dwell.grid = { stays: 2, doneMs: 1, open: 0, openEnteredSec: 0 };
    b.dwell.station = { stays: 1, doneMs: 3, open: 0, openEnteredSec: 0 };
    const s = addFigures(a, b);
    expect(s.byState).toEqual({ open: 3, closed: 3 });
    expect(s.total).toBe(6);
    expect(s.closeMs).toBe(7);
    expect(s.dwell).toEqual({ grid: { stays: 3, doneMs: 11, open: 1, openEnteredSec: 5 }, station: { stays: 1, doneMs: 3, open: 0, openEnteredSec: 0 } });
  });

  it('When the answer is computed, then open-and-overdue events count as late, and open stays are measured up to now', () => {
    const f = emptyFigures();
    f.closed = 4;
    f.dueClosed = 4;
    f.lateClosed = 1;
    f.closeMs = 4 * 3_600_000;
    f.gridCollected = 5;
    f.selfClosed = 2;
    // one stay done after 60 s, one still open since 120 s before now
    const now = new Date('2026-05-01T00:00:00Z');
    f.dwell.grid = { stays: 2, doneMs: 60_000, open: 1, openEnteredSec: now.getTime() / 1000 - 120 };
    const a = summarizeFigures(f, 2, 1_800_000.4, now);
    // 4 closed with a deadline, 1 of them late, and 2 still open past their deadline: 3 late of 6
    expect(a.onTime).toEqual({ judged: 6, late: 3, rate: 0.5 });
    expect(a.overdue).toBe(2);
    expect(a.timeToClose).toEqual({ closed: 4, meanMs: 3_600_000, medianMs: 1_800_000 });
    expect(a.selfClosure).toEqual({ gridCollected: 5, selfClosed: 2, rate: 0.4 });
    expect(a.dwellByTier).toEqual({ grid: { stays: 2, meanMs: 90_000 } });
    expect(summarizeFigures(emptyFigures(), 0, null, now).onTime.rate).toBeNull();
  });
});

describe('E14 dashboard weeks', () => {
  it('When it is Wednesday noon in China, then the twelve weeks start on Mondays at 00:00 China time and end with this week', () => {
    const w = chinaWeeks(new Date('2026-11-25T04:00:00Z'), 12);
    expect(w.first.toISOString()).toBe('2026-09-06T16:00:00.000Z');
    expect(w.days[0]).toBe('2026-09-07');
    expect(w.days.at(-1)).toBe('2026-11-23');
    expect(w.days).toHaveLength(12);
  });

  it('When it is Monday 00:30 in China (still Sunday in UTC), then this week is the one that began half an hour ago', () => {
    expect(chinaWeeks(new Date('2026-11-22T16:30:00Z'), 2).days).toEqual(['2026-11-16', '2026-11-23']);
    expect(chinaWeeks(new Date('2026-11-22T15:59:59Z'), 2).days).toEqual(['2026-11-09', '2026-11-16']);
  });
});
