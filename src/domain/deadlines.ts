// chinese-days is CommonJS: Node's ESM loader exposes only its default export.
import chineseDays from 'chinese-days';
import { invalid } from './errors.js';

/**
 * E10 deadlines in working days (工作日). Calendar days are China's (UTC+8, no daylight saving),
 * whatever the server's time zone. Official holidays and adjusted working days (调休) come from
 * `chinese-days`; a bureau may add its own (settings `extraHolidays` / `extraWorkdays`, e.g. a
 * local festival, or a year the package does not know yet).
 *
 * Rule used throughout: "within N working days" counts from the next working day after the
 * event reached the tier, and the limit is the END of the N-th working day (24:00 China time).
 */

export const DEADLINE_TIERS = ['grid', 'grid_leader', 'village', 'station', 'county', 'city', 'department', 'enforcement', 'cadre'] as const;
export type DeadlineTier = (typeof DEADLINE_TIERS)[number];

export interface DeadlineSettings {
  /** Working days allowed at each tier; 0 = no limit at that tier. */
  workingDays: Record<DeadlineTier, number>;
  /** Remind the holder when this many working days (the last ones) are left; 0 = no reminder. */
  reminderWorkingDays: number;
  /** Escalate automatically when the limit passes (E10 "optional automatic escalation"). */
  autoEscalate: boolean;
  /** Local extra days off (YYYY-MM-DD), on top of the official calendar. */
  extraHolidays: string[];
  /** Local extra working days (YYYY-MM-DD), on top of the official calendar. */
  extraWorkdays: string[];
}

/**
 * Defaults follow S0's expectation that problems are handled at the lowest level quickly:
 * field tiers have a few days, upper tiers more for coordination; enforcement cases are slow.
 */
export const DEFAULT_DEADLINE_SETTINGS: DeadlineSettings = {
  workingDays: {
    grid: 3,
    grid_leader: 3,
    village: 2,
    station: 5,
    county: 7,
    city: 10,
    department: 7,
    enforcement: 15,
    cadre: 3,
  },
  reminderWorkingDays: 1,
  autoEscalate: false,
  extraHolidays: [],
  extraWorkdays: [],
};

const CHINA_OFFSET_MS = 8 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** The calendar day (YYYY-MM-DD) in China at instant `d`. */
export function chinaDay(d: Date): string {
  return new Date(d.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant 00:00 China time of calendar day `day`. */
export function chinaStartOfDay(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) - CHINA_OFFSET_MS);
}

/** The last instant (23:59:59.999 China time) of calendar day `day`. */
export function chinaEndOfDay(day: string): Date {
  return new Date(chinaStartOfDay(day).getTime() + DAY_MS - 1);
}

function shiftDay(day: string, delta: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + delta * DAY_MS).toISOString().slice(0, 10);
}

type Calendar = Pick<DeadlineSettings, 'extraHolidays' | 'extraWorkdays'>;

/**
 * The official calendar's answer per day, kept: `chinese-days` parses and formats the date on
 * every call, and intake asks for several days per report (N3). A few thousand days at most.
 */
const officialWorkdays = new Map<string, boolean>();

export function isWorkingDay(day: string, cal: Partial<Calendar> = {}): boolean {
  if (cal.extraWorkdays?.includes(day)) return true;
  if (cal.extraHolidays?.includes(day)) return false;
  let w = officialWorkdays.get(day);
  if (w === undefined) {
    w = chineseDays.isWorkday(day);
    if (DATE_RE.test(day)) officialWorkdays.set(day, w);
  }
  return w;
}

/** The calendar day that is `n` working days after `day` (n ≥ 1), or before it when n < 0. */
export function addWorkingDays(day: string, n: number, cal: Partial<Calendar> = {}): string {
  if (!Number.isInteger(n)) throw new RangeError('n must be an integer');
  let d = day;
  let left = Math.abs(n);
  const step = n < 0 ? -1 : 1;
  while (left > 0) {
    d = shiftDay(d, step);
    if (isWorkingDay(d, cal)) left--;
  }
  return d;
}

/** Working days strictly after `fromDay` up to and including `toDay` (negative when reversed). */
export function workingDaysBetween(fromDay: string, toDay: string, cal: Partial<Calendar> = {}): number {
  if (fromDay === toDay) return 0;
  const sign = fromDay < toDay ? 1 : -1;
  const [a, b] = sign > 0 ? [fromDay, toDay] : [toDay, fromDay];
  let count = 0;
  for (let d = shiftDay(a, 1); d <= b; d = shiftDay(d, 1)) if (isWorkingDay(d, cal)) count++;
  return sign * count;
}

/**
 * The deadline for an event that reached `tier` at `from`: end of the N-th working day after
 * that day. `null` when the tier has no limit.
 */
export function deadlineFor(tier: string, from: Date, settings: DeadlineSettings = DEFAULT_DEADLINE_SETTINGS): Date | null {
  const n = settings.workingDays[tier as DeadlineTier];
  if (!n || n <= 0) return null;
  const day = chinaDay(from);
  let known = deadlinesOf.get(settings);
  if (!known) deadlinesOf.set(settings, (known = new Map()));
  const key = `${n}|${day}`;
  let end = known.get(key);
  if (end === undefined) {
    end = chinaEndOfDay(addWorkingDays(day, n, settings)).getTime();
    known.set(key, end);
  }
  return new Date(end);
}

/**
 * Deadlines already worked out, per settings object, by working days and start day: counting the
 * days costs ~12 µs and every report and action asks (N3). Settings objects are not changed
 * after they are made (a change of settings makes a new object).
 */
const deadlinesOf = new WeakMap<DeadlineSettings, Map<string, number>>();

/** Office hours start (08:00 China time): reminders are not sent in the night. */
const REMINDER_HOUR = 8;

/**
 * When to remind the holder: 08:00 China time on the first of the last `reminderWorkingDays`
 * working days before the deadline (1 = the morning of the last working day). `null` when
 * reminders are off.
 */
export function reminderAt(deadline: Date, settings: DeadlineSettings = DEFAULT_DEADLINE_SETTINGS): Date | null {
  const n = settings.reminderWorkingDays;
  if (!n || n <= 0) return null;
  let day = chinaDay(deadline);
  // The deadline normally ends a working day; if an admin moved it to a day off, count from the
  // working day before.
  while (!isWorkingDay(day, settings)) day = shiftDay(day, -1);
  const first = n > 1 ? addWorkingDays(day, -(n - 1), settings) : day;
  return new Date(chinaStartOfDay(first).getTime() + REMINDER_HOUR * 3600 * 1000);
}

export function isOverdue(deadline: Date | null | undefined, now: Date): boolean {
  return !!deadline && now.getTime() > deadline.getTime();
}

export type DeadlineStatus = 'none' | 'on_time' | 'due_soon' | 'overdue';

/** Where an open event stands against its deadline at `now`. */
export function deadlineStatus(deadline: Date | null | undefined, now: Date, settings: DeadlineSettings = DEFAULT_DEADLINE_SETTINGS): DeadlineStatus {
  if (!deadline) return 'none';
  if (isOverdue(deadline, now)) return 'overdue';
  const r = reminderAt(deadline, settings);
  return r && now.getTime() >= r.getTime() ? 'due_soon' : 'on_time';
}

/**
 * Validates and completes settings from the settings table or an admin's PUT: unknown tiers and
 * bad dates are rejected naming the field, missing keys take the defaults.
 */
export function normalizeDeadlineSettings(input: unknown): DeadlineSettings {
  const src = (input && typeof input === 'object' ? input : {}) as Record<string, any>;
  const out: DeadlineSettings = structuredClone(DEFAULT_DEADLINE_SETTINGS);
  if (src.workingDays !== undefined) {
    if (!src.workingDays || typeof src.workingDays !== 'object') {
      throw invalid('invalid_deadline_settings', 'workingDays', '时限设置格式错误', 'workingDays must be an object');
    }
    for (const [tier, v] of Object.entries(src.workingDays)) {
      if (!(DEADLINE_TIERS as readonly string[]).includes(tier)) {
        throw invalid('unknown_tier', `workingDays.${tier}`, `未知层级：${tier}`, `Unknown tier ${tier}`);
      }
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 365) {
        throw invalid('invalid_working_days', `workingDays.${tier}`, '时限须为0–365之间的整数（工作日）', 'Working days must be an integer 0–365');
      }
      out.workingDays[tier as DeadlineTier] = v;
    }
  }
  if (src.reminderWorkingDays !== undefined) {
    const v = src.reminderWorkingDays;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 30) {
      throw invalid('invalid_working_days', 'reminderWorkingDays', '提醒提前量须为0–30之间的整数（工作日）', 'reminderWorkingDays must be an integer 0–30');
    }
    out.reminderWorkingDays = v;
  }
  if (src.autoEscalate !== undefined) {
    if (typeof src.autoEscalate !== 'boolean') {
      throw invalid('invalid_boolean', 'autoEscalate', '自动升级须为是/否', 'autoEscalate must be a boolean');
    }
    out.autoEscalate = src.autoEscalate;
  }
  for (const key of ['extraHolidays', 'extraWorkdays'] as const) {
    if (src[key] === undefined) continue;
    const list = src[key];
    if (!Array.isArray(list)) throw invalid('invalid_dates', key, '日期列表格式错误', `${key} must be a list of dates`);
    list.forEach((d: unknown, i: number) => {
      if (typeof d !== 'string' || !DATE_RE.test(d) || Number.isNaN(Date.parse(d))) {
        throw invalid('invalid_date', `${key}.${i}`, '日期格式应为YYYY-MM-DD', 'Date must be YYYY-MM-DD');
      }
    });
    out[key] = [...new Set(list as string[])].sort();
  }
  return out;
}
