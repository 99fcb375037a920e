import type { Timestamp } from '../../db/schema.js';

/** P1–P3 patrol records; see migration 0042. */
export interface PatrolTables {
  patrols: {
    id: string;
    business_id: string;
    region_id: number;
    region_path: string;
    grid_id: number | null;
    type: string;
    channel: string;
    patroller_id: string;
    patroller_role: string;
    organization_id: number | null;
    patrolled_at: Date;
    client_id: string | null;
    passed: boolean;
    failed_count: number;
    note: string | null;
    lat: number | null;
    lng: number | null;
    created_at: Timestamp;
  };
  patrol_items: {
    patrol_id: string;
    seq: number;
    aspect: string;
    item_code: string | null;
    passed: boolean;
    note: string | null;
    event_id: string | null;
  };
}
