import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import {
  addWorkingDays,
  chinaDay,
  deadlineFor,
  deadlineStatus,
  DEFAULT_DEADLINE_SETTINGS,
  isOverdue,
  isWorkingDay,
  normalizeDeadlineSettings,
  reminderAt,
  workingDaysBetween,
} from './deadlines.js';
import { DomainError } from './errors.js';

const settings = (over: Partial<typeof DEFAULT_DEADLINE_SETTINGS> = {}) => ({ ...structuredClone(DEFAULT_DEADLINE_SETTINGS), ...over });

describe('working days (E10)', () => {
  it('When the day is in the National Day holiday or an adjusted Saturday, then the official calendar decides', () => {
    expect(isWorkingDay('2026-10-01')).toBe(false);
    expect(isWorkingDay('2026-10-07')).toBe(false);
    expect(isWorkingDay('2026-10-10')).toBe(true); // 调休 Saturday
    expect(isWorkingDay('2026-10-11')).toBe(false);
    expect(isWorkingDay('2026-09-30')).toBe(true);
  });

  it('When a bureau adds a local day off or a working day, then it overrides the official calendar', () => {
    expect(isWorkingDay('2026-09-30', { extraHolidays: ['2026-09-30'] })).toBe(false);
    expect(isWorkingDay('2026-10-11', { extraWorkdays: ['2026-10-11'] })).toBe(true);
  });

  it('When counting working days across the National Day holiday, then the holiday is skipped and the adjusted Saturday counts', () => {
    expect(addWorkingDays('2026-09-29', 1)).toBe('2026-09-30');
    expect(addWorkingDays('2026-09-29', 2)).toBe('2026-10-08');
    expect(addWorkingDays('2026-09-29', 4)).toBe('2026-10-10');
    expect(addWorkingDays('2026-09-29', 5)).toBe('2026-10-12');
    expect(addWorkingDays('2026-10-12', -5)).toBe('2026-09-29');
    expect(workingDaysBetween('2026-09-29', '2026-10-12')).toBe(5);
    expect(workingDaysBetween('2026-10-12', '2026-09-29')).toBe(-5);
  });
});

describe('deadlines (E10)', () => {
  it('When a station receives an event before the National Day holiday, then its 5 working days end at 24:00 China time on 12 October', () => {
    const from = new Date('2026-09-29T10:00:00+08:00');
    expect(deadlineFor('station', from)?.toISOString()).toBe('2026-10-12T15:59:59.999Z');
  });

  it('When the event arrives at 01:00 China time (the previous UTC day), then the China calendar day is used', () => {
    const from = new Date('2026-09-29T17:00:00Z'); // 2026-09-30 01:00 in China
    expect(chinaDay(from)).toBe('2026-09-30');
    expect(deadlineFor('station', from)?.toISOString()).toBe('2026-10-13T15:59:59.999Z');
  });

  it('When deadlines are asked again for the same day, then each settings object keeps its own answer and each answer is a Date of its own', () => {
    const from = new Date('2026-09-29T10:00:00+08:00');
    const plain = settings();
    const localHoliday = settings({ extraHolidays: ['2026-10-09'] });
    const first = deadlineFor('station', from, plain)!;
    first.setTime(0); // a caller changing its Date must not change the next answer
    expect(deadlineFor('station', from, plain)?.toISOString()).toBe('2026-10-12T15:59:59.999Z');
    expect(deadlineFor('station', from, localHoliday)?.toISOString()).toBe('2026-10-13T15:59:59.999Z');
    expect(deadlineFor('station', from, plain)?.toISOString()).toBe('2026-10-12T15:59:59.999Z');
    // a changed limit in the same object is a different question
    plain.workingDays.station = 1;
    expect(deadlineFor('station', from, plain)?.toISOString()).toBe('2026-09-30T15:59:59.999Z');
  });

  it('When a tier has no limit configured, then there is no deadline', () => {
    const s = settings();
    s.workingDays.city = 0;
    expect(deadlineFor('city', new Date('2026-09-29T10:00:00+08:00'), s)).toBeNull();
    expect(deadlineFor('no_such_tier', new Date('2026-09-29T10:00:00+08:00'), s)).toBeNull();
  });

  it('When one working day is left, then the reminder is at 08:00 China time on the last working day', () => {
    const deadline = new Date('2026-10-12T15:59:59.999Z');
    expect(reminderAt(deadline)?.toISOString()).toBe('2026-10-12T00:00:00.000Z');
    expect(reminderAt(deadline, settings({ reminderWorkingDays: 2 }))?.toISOString()).toBe('2026-10-10T00:00:00.000Z');
    // three working days back crosses Sunday 11 October
    expect(reminderAt(deadline, settings({ reminderWorkingDays: 3 }))?.toISOString()).toBe('2026-10-09T00:00:00.000Z');
    expect(reminderAt(deadline, settings({ reminderWorkingDays: 0 }))).toBeNull();
  });

  it('When the deadline has passed by a millisecond, then the event is overdue, and not a moment before', () => {
    const deadline = new Date('2026-10-12T15:59:59.999Z');
    expect(isOverdue(deadline, new Date('2026-10-12T15:59:59.999Z'))).toBe(false);
    expect(isOverdue(deadline, new Date('2026-10-12T16:00:00.000Z'))).toBe(true);
    expect(isOverdue(null, new Date())).toBe(false);
    expect(deadlineStatus(deadline, new Date('2026-10-09T12:00:00+08:00'))).toBe('on_time');
    expect(deadlineStatus(deadline, new Date('2026-10-12T09:00:00+08:00'))).toBe('due_soon');
    expect(deadlineStatus(deadline, new Date('2026-10-13T00:00:01+08:00'))).toBe('overdue');
    expect(deadlineStatus(null, new Date())).toBe('none');
  });

  fcTest.prop([
    fc.date({ min: new Date('2024-01-01T00:00:00Z'), max: new Date('2026-12-31T00:00:00Z'), noInvalidDate: true }),
    fc.constantFrom('grid', 'station', 'county', 'enforcement'),
  ])('When any deadline is computed, then it ends a working day exactly N working days after the start day, after the reminder', (from, tier) => {
    const d = deadlineFor(tier, from)!;
    const n = DEFAULT_DEADLINE_SETTINGS.workingDays[tier as 'grid'];
    expect(isWorkingDay(chinaDay(d))).toBe(true);
    expect(workingDaysBetween(chinaDay(from), chinaDay(d))).toBe(n);
    expect(d.getTime()).toBeGreaterThan(from.getTime());
    expect(reminderAt(d)!.getTime()).toBeLessThan(d.getTime());
  });
});

describe('deadline settings', () => {
  it('When settings are partial, then the defaults fill the rest', () => {
    const s = normalizeDeadlineSettings({ workingDays: { station: 4 }, autoEscalate: true });
    expect(s.workingDays.station).toBe(4);
    expect(s.workingDays.county).toBe(DEFAULT_DEADLINE_SETTINGS.workingDays.county);
    expect(s.autoEscalate).toBe(true);
    expect(normalizeDeadlineSettings(null)).toEqual(DEFAULT_DEADLINE_SETTINGS);
  });

  it('When a tier is unknown or a limit is negative or a date malformed, then the error names the field', () => {
    const fieldOf = (input: unknown) => {
      try {
        normalizeDeadlineSettings(input);
      } catch (e) {
        return (e as DomainError).field;
      }
      return undefined;
    };
    expect(fieldOf({ workingDays: { moon: 3 } })).toBe('workingDays.moon');
    expect(fieldOf({ workingDays: { station: -1 } })).toBe('workingDays.station');
    expect(fieldOf({ reminderWorkingDays: 1.5 })).toBe('reminderWorkingDays');
    expect(fieldOf({ extraHolidays: ['2026-13-40x'] })).toBe('extraHolidays.0');
    expect(fieldOf({ autoEscalate: 'yes' })).toBe('autoEscalate');
  });
});
