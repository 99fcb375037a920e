import { useQuery } from '@tanstack/react-query';
import { api, type Query } from '../../../shared/api';
import type { Text } from '../../../shared/i18n';

/**
 * P1–P3 in the console: the answers of `GET /api/v1/patrols/coverage`, `GET /api/v1/patrols` and
 * `GET /api/v1/patrols/:id` (src/modules/patrols/queries.ts, store.ts), their labels and hooks.
 */

/** Console roles that read patrols: staff whose jurisdiction the patrols lie in (not departments). */
export const PATROL_READERS = ['admin', 'station_staff', 'bureau_staff', 'food_safety_office', 'enforcement_officer', 'inspector'];

export const PATROL_TYPES: Record<string, Text> = {
  routine: { zh: '日常巡查', en: 'Routine patrol' },
  double_random: { zh: '双随机检查', en: 'Double-random inspection' },
  flight: { zh: '飞行检查', en: 'Flying inspection' },
  unannounced: { zh: '四不两直', en: 'Unannounced check' },
};

/** S1 证/人/物/票/洁. */
export const ASPECTS: Record<string, Text> = {
  license: { zh: '证（证照）', en: 'Licence' },
  people: { zh: '人（人员）', en: 'People' },
  goods: { zh: '物（食品及原料）', en: 'Goods' },
  invoices: { zh: '票（票据台账）', en: 'Invoices and records' },
  hygiene: { zh: '洁（环境卫生）', en: 'Hygiene' },
};

export interface PatrolItem {
  seq: number;
  aspect: string;
  itemCode: string | null;
  itemName: string | null;
  passed: boolean;
  note: string | null;
  eventId: string | null;
}

export interface Patrol {
  id: string;
  businessId: string;
  businessName: string | null;
  regionId: string;
  gridId: string | null;
  type: string;
  channel: string;
  patrollerId: string;
  patrollerName: string | null;
  patrollerRole: string;
  organizationId: string | null;
  patrolledAt: string;
  passed: boolean;
  failedCount: number;
  note: string | null;
  location: { lat: number; lng: number } | null;
  clientId: string | null;
  items: PatrolItem[];
  eventIds: string[];
  createdAt: string;
}

/** The list filters, named as the API's query parameters (kept in the URL). */
export const PATROL_FILTERS = ['regionId', 'type', 'passed', 'from', 'to', 'patrollerId', 'businessId'] as const;

export interface CoverageWorker {
  userId: string;
  displayName: string;
  role: string;
  regionId: string;
  gridId: string;
  patrols: number;
  businessesPatrolled: number;
  areaBusinesses: number;
  areaPatrolled: number;
  coverage: number;
  coverageShort: boolean;
  hazardReports: number;
}

export interface CoverageGrid {
  gridId: string;
  gridName: string;
  path: string[];
  businesses: number;
  patrolled: number;
  coverage: number;
  hazardReports: number;
  coverageShort: boolean;
  hazardsShort: boolean;
  unpatrolled: number;
  hazardsMissing: number;
}

export interface CoverageTownship {
  townshipId: string;
  name: string;
  grids: number;
  businesses: number;
  patrolled: number;
  coverage: number;
  hazardReports: number;
  gridsCoverageShort: number;
  gridsHazardsShort: number;
}

export interface Coverage {
  regionId: string;
  month: string;
  from: string;
  to: string;
  targets: { coveragePercent: number; hazardReportsPerGrid: number };
  totals: {
    grids: number;
    businesses: number;
    patrolled: number;
    coverage: number;
    hazardReports: number;
    gridsCoverageShort: number;
    gridsHazardsShort: number;
  };
  townships: CoverageTownship[];
  grids: CoverageGrid[];
  /** false for large regions (more than 500 grids): the worker rows are left out. */
  workersIncluded: boolean;
  workers: CoverageWorker[];
  shortfalls: {
    coverage: Array<{
      gridId: string;
      gridName: string;
      businesses: number;
      patrolled: number;
      coverage: number;
      unpatrolledBusinesses: Array<{ id: string; name: string }>;
      workers: CoverageWorker[];
    }>;
    hazards: Array<{
      gridId: string;
      gridName: string;
      hazardReports: number;
      missing: number;
      workers: Array<{ userId: string; displayName: string; role: string; hazardReports: number }>;
    }>;
  };
}

/** The month now in China (UTC+8), `YYYY-MM`, whatever the browser's zone: the API's months are China's. */
export function chinaMonth(now = Date.now()): string {
  return new Date(now + 8 * 3600_000).toISOString().slice(0, 7);
}

/** Coverage in percent as the API gives it (one decimal). */
export const percent = (v: number) => `${Number.isInteger(v) ? v : v.toFixed(1)}%`;

export function useCoverage(q: { regionId?: string; month: string }, enabled = true) {
  return useQuery({
    queryKey: ['patrols', 'coverage', q],
    enabled,
    queryFn: ({ signal }) => api.get<Coverage>('/api/v1/patrols/coverage', q as Query, { signal }),
  });
}

export function usePatrol(id: string | undefined) {
  return useQuery({
    queryKey: ['patrol', id],
    enabled: !!id,
    queryFn: ({ signal }) => api.get<Patrol>(`/api/v1/patrols/${id}`, undefined, { signal }),
    retry: false,
  });
}
