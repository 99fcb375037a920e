import { forbidden, invalid } from './errors.js';
import type { Role } from './roles.js';

/**
 * E11 / S1: the five patrol aspects 证/人/物/票/洁. Items of the catalogue belong to one of them;
 * patrol checklists are organised by them.
 */
export const ASPECTS = ['license', 'people', 'goods', 'invoices', 'hygiene'] as const;
export type Aspect = (typeof ASPECTS)[number];

export const ASPECT_LABELS: Record<Aspect, { zh: string; full: string; en: string }> = {
  license: { zh: '证', full: '证照', en: 'Licence' },
  people: { zh: '人', full: '人员', en: 'People' },
  goods: { zh: '物', full: '食品及原料', en: 'Goods' },
  invoices: { zh: '票', full: '票据台账', en: 'Invoices and records' },
  hygiene: { zh: '洁', full: '环境卫生', en: 'Hygiene' },
};

/** Spellings clients send for the same aspect (the field app sends `invoice`). */
const ASPECT_ALIASES: Record<string, Aspect> = { invoice: 'invoices', licence: 'license' };

export function normalizeAspect(a: string | null | undefined): Aspect | null {
  if (!a) return null;
  const v = ASPECT_ALIASES[a] ?? a;
  return (ASPECTS as readonly string[]).includes(v) ? (v as Aspect) : null;
}

/** Event tiers an item may list as allowed to self-handle it. */
export const HANDLING_TIERS = ['grid', 'grid_leader', 'village', 'station', 'county', 'city', 'department', 'enforcement', 'cadre'] as const;


/** P1/P3 patrol types: 日常巡查, 双随机, 飞行检查, 四不两直 (unannounced). */
export const PATROL_TYPES = ['routine', 'double_random', 'flight', 'unannounced'] as const;
export type PatrolType = (typeof PATROL_TYPES)[number];
export const PATROL_TYPE_LABELS: Record<PatrolType, { zh: string; en: string }> = {
  routine: { zh: '日常巡查', en: 'Routine patrol' },
  double_random: { zh: '双随机检查', en: 'Double-random inspection' },
  flight: { zh: '飞行检查', en: 'Flying inspection' },
  unannounced: { zh: '四不两直', en: 'Unannounced check' },
};

/** Grid workers patrol their grid (P1); market-supervision staff sink down (P3). */
const GRID_ROLES: readonly Role[] = ['unit_leader', 'grid_member', 'grid_leader'];
const SINK_DOWN_ROLES: readonly Role[] = ['station_staff', 'bureau_staff', 'food_safety_office'];
export const PATROL_ROLES: readonly Role[] = [...GRID_ROLES, ...SINK_DOWN_ROLES];

export type PatrolChannel = 'grid_patrol' | 'department_patrol';

/**
 * The intake channel of a patrol and of an event raised from it (E1), and which patrol types the
 * role may record: grid workers do routine patrols; sink-down staff any of the four.
 */
export function patrolRules(role: Role, type: PatrolType): { channel: PatrolChannel } {
  if (GRID_ROLES.includes(role)) {
    if (type !== 'routine') {
      throw invalid('patrol_type_not_allowed', 'type', '网格员只能登记日常巡查', 'grid workers record routine patrols only');
    }
    return { channel: 'grid_patrol' };
  }
  if (SINK_DOWN_ROLES.includes(role)) return { channel: 'department_patrol' };
  throw forbidden('您的角色不能登记巡查记录', `role ${role} may not record patrols`);
}

export interface ChecklistLine {
  aspect?: string | null;
  itemCode?: string | null;
  passed: boolean;
  note?: string | null;
}

/**
 * Validates the checklist lines: each names an aspect or a catalogue item (whose aspect it takes);
 * an aspect given with an item must agree with it. Returns the lines with their aspect resolved.
 */
export function resolveChecklist(
  lines: ChecklistLine[],
  itemAspect: (code: string) => string | undefined,
): Array<{ aspect: Aspect; itemCode: string | null; passed: boolean; note: string | null }> {
  if (!lines.length) throw invalid('missing_parameter', 'items', '请至少填写一项检查内容', 'at least one checklist line is required');
  return lines.map((l, i) => {
    const field = `items.${i}`;
    const code = l.itemCode?.trim() || null;
    let aspect = normalizeAspect(l.aspect ?? null);
    if (l.aspect && !aspect) throw invalid('invalid_parameter', `${field}.aspect`, '检查方面应为证/人/物/票/洁之一', `aspect must be one of ${ASPECTS.join(', ')}`);
    if (code) {
      const a = itemAspect(code);
      if (!a) throw invalid('unknown_item', `${field}.itemCode`, '事项清单中没有该事项', 'itemCode is not in the item catalogue');
      if (aspect && aspect !== a) throw invalid('aspect_mismatch', `${field}.aspect`, '检查方面与事项不一致', `item ${code} belongs to aspect ${a}`);
      aspect = a as Aspect;
    }
    if (!aspect) throw invalid('missing_parameter', `${field}.aspect`, '请注明检查方面（证/人/物/票/洁）或事项', 'aspect or itemCode is required');
    const note = l.note?.trim() || null;
    if (!l.passed && !note && !code) {
      throw invalid('missing_parameter', `${field}.note`, '不合格项请说明问题或选择事项', 'a failed line needs a note or a catalogue item');
    }
    return { aspect, itemCode: code, passed: l.passed, note };
  });
}

// ------------------------------------------------------------------ P2 coverage

/** S1: every business patrolled in the month, and at least 2 hazard reports per grid a month. */
export const COVERAGE_TARGET_PERCENT = 100;
export const HAZARDS_REQUIRED_PER_MONTH = 2;

/** Coverage in percent, one decimal; a grid without businesses counts as fully covered. */
export function coveragePercent(businesses: number, patrolled: number): number {
  if (businesses <= 0) return 100;
  return Math.floor((Math.min(patrolled, businesses) / businesses) * 1000) / 10;
}

export interface GridFigures {
  businesses: number;
  patrolled: number;
  hazardReports: number;
}

export interface GridAssessment {
  coverage: number;
  coverageShort: boolean;
  hazardsShort: boolean;
  /** Businesses still to patrol / hazard reports still missing this month. */
  unpatrolled: number;
  hazardsMissing: number;
}

export function assessGrid(f: GridFigures, target = COVERAGE_TARGET_PERCENT, hazardsRequired = HAZARDS_REQUIRED_PER_MONTH): GridAssessment {
  const coverage = coveragePercent(f.businesses, f.patrolled);
  return {
    coverage,
    coverageShort: coverage < target,
    hazardsShort: f.hazardReports < hazardsRequired,
    unpatrolled: Math.max(0, f.businesses - f.patrolled),
    hazardsMissing: Math.max(0, hazardsRequired - f.hazardReports),
  };
}

/** The month `YYYY-MM` as [start, end) instants in China time (UTC+8). */
export function monthRange(month: string): { start: Date; end: Date } {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) throw invalid('invalid_parameter', 'month', '月份格式应为YYYY-MM', 'month must be YYYY-MM');
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const start = new Date(Date.UTC(y, mo - 1, 1) - 8 * 3600_000);
  const end = new Date(Date.UTC(mo === 12 ? y + 1 : y, mo === 12 ? 0 : mo, 1) - 8 * 3600_000);
  return { start, end };
}

/** The current month in China time. */
export function monthOf(d: Date): string {
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 7);
}
