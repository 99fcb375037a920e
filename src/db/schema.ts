import type { ColumnType, Generated } from 'kysely';
import type { FileTables } from '../modules/files/tables.js';
import type { JobTables } from '../jobs/tables.js';
import type { CatalogueTables } from '../modules/catalogue/tables.js';
import type { PatrolTables } from '../modules/patrols/tables.js';

/**
 * Kysely table types. Core tables are here; each module that owns tables declares an interface
 * in its own `tables.ts` and it is merged into `DB` below.
 */
export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
export type Json<T = unknown> = ColumnType<T, string, string>;

export interface SettingsTable {
  key: string;
  value: Json;
  updated_at: Timestamp;
}

export interface RegionsTable {
  id: Generated<number>;
  code: string;
  name: string;
  level: string;
  parent_id: number | null;
  path: string;
  depth: number;
  created_at: Timestamp;
}

export interface OrganizationsTable {
  id: Generated<number>;
  type: string;
  name: string;
  code: string | null;
  region_id: number;
  parent_id: number | null;
  department_kind: string | null;
  is_branch: Generated<boolean>;
  created_at: Timestamp;
}

export interface OrganizationJurisdictionsTable {
  organization_id: number;
  region_id: number;
}

export interface UsersTable {
  id: string;
  username: string;
  display_name: string;
  role: string;
  region_id: number | null;
  organization_id: number | null;
  business_id?: string | null;
  phone: string | null;
  password_hash: string;
  must_change_password: Generated<boolean>;
  disabled: Generated<boolean>;
  failed_logins: Generated<number>;
  locked_until: Date | null;
  password_changed_at: Timestamp;
  last_login_at: Date | null;
  created_at: Timestamp;
}

export interface StationVillageAssignmentsTable {
  user_id: string;
  village_id: number;
}

export interface WorkingGroupsTable {
  id: Generated<number>;
  organization_id: number;
  name: string;
  created_at: Timestamp;
}

export interface WorkingGroupMembersTable {
  group_id: number;
  user_id: string;
  position: string;
  duty: string;
}

export interface SessionsTable {
  token_hash: string;
  user_id: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Date;
  ip: string | null;
  user_agent: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Timestamp;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  entity: string | null;
  entity_id: string | null;
  ip: string | null;
  detail: Json | null;
  chain_seq: number | null;
  prev_hash: string | null;
  hash: string | null;
}

export interface IdempotencyKeysTable {
  scope: string;
  key: string;
  request_hash: string;
  status: number;
  body: Json;
  created_at: Timestamp;
}

export interface CoreTables {
  settings: SettingsTable;
  regions: RegionsTable;
  organizations: OrganizationsTable;
  organization_jurisdictions: OrganizationJurisdictionsTable;
  users: UsersTable;
  station_village_assignments: StationVillageAssignmentsTable;
  working_groups: WorkingGroupsTable;
  working_group_members: WorkingGroupMembersTable;
  sessions: SessionsTable;
  audit_log: AuditLogTable;
  idempotency_keys: IdempotencyKeysTable;
}

export interface BusinessesTable {
  id: string;
  name: string;
  credit_code: string | null;
  license_no: string | null;
  license_expiry: string | null;
  type: string;
  region_id: number;
  region_path: string;
  address: string | null;
  lat: number | null;
  lng: number | null;
  diners_count: number | null;
  employees: number | null;
  revenue_wan: number | null;
  grade: string;
  grade_computed: string;
  grade_override_reason: string | null;
  grade_override_by: string | null;
  grade_override_at: Date | null;
  risk_level: Generated<string>;
  credit_risk_class: string | null;
  status: Generated<string>;
  food_safety_director: string | null;
  food_safety_officer: string | null;
  contact_name: string | null;
  contact_phone: string | null;
  insured: Generated<boolean>;
  insurance_expiry: string | null;
  product_tags: Generated<string[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
  risk_level_manual: Generated<boolean>;
  grade_override: string | null;
  grade_basis: string | null;
}

export interface BusinessFollowersTable {
  business_id: string;
  follower_key: string;
  created_at: Timestamp;
}

export interface BusinessTables {
  businesses: BusinessesTable;
  business_followers: BusinessFollowersTable;
  business_import_jobs: BusinessImportJobsTable;
}

export interface BusinessImportJobsTable {
  id: string;
  created_by: string;
  file_name: string;
  status: Generated<string>;
  total: Generated<number>;
  processed: Generated<number>;
  imported: Generated<number>;
  errors: Json<{ row: number; field: string; message: string }[]>;
  created_at: Timestamp;
  finished_at: Date | null;
}

export interface EventsTable {
  id: string;
  channel: string;
  title: string;
  description: string;
  category_code: string | null;
  business_id: string | null;
  region_id: number;
  region_path: string;
  lat: number | null;
  lng: number | null;
  state: string;
  tier: string;
  origin_tier: string;
  holder_region_id: number | null;
  holder_path: string | null;
  holder_org_id: number | null;
  holder_user_id: string | null;
  collector_id: string | null;
  collector_org_id: number | null;
  client_id: string | null;
  version: Generated<number>;
  tier_entered_at: Timestamp;
  deadline: Date | null;
  reminded_at: Date | null;
  rectification_deadline: Date | null;
  rectification_requirement: string | null;
  result: string | null;
  feedback: string | null;
  feedback_at: Date | null;
  reject_reason: string | null;
  case_no: string | null;
  case_decision: string | null;
  penalty: string | null;
  merged_into: string | null;
  hotspot: Generated<boolean>;
  tracking_code: string | null;
  reporter_phone: string | null;
  reporter_anonymous: Generated<boolean>;
  rating: number | null;
  rating_comment: string | null;
  reopen_count: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
  resolved_at: Date | null;
  closed_at: Date | null;
  return_to: Json<unknown> | null;
}

export interface EventHistoryTable {
  event_id: string;
  seq: number;
  type: string;
  actor_id: string | null;
  actor_role: string | null;
  from_state: string | null;
  to_state: string | null;
  from_tier: string | null;
  to_tier: string | null;
  from_holder: Json | null;
  to_holder: Json | null;
  note: string | null;
  detail: Json | null;
  public_note: string | null;
  at: Timestamp;
}

export interface EventTierDwellTable {
  event_id: string;
  tier: string;
  region_id: number | null;
  entered_at: Date;
  left_at: Date | null;
}

export interface EventAssistsTable {
  id: string;
  event_id: string;
  region_id: number;
  note: string;
  requested_by: string | null;
  status: Generated<string>;
  created_at: Timestamp;
  done_at: Date | null;
}

export interface EventTables {
  events: EventsTable;
  event_history: EventHistoryTable;
  event_tier_dwell: EventTierDwellTable;
  event_assists: EventAssistsTable;
}

export interface NotificationTables {
  notifications: {
    id: string;
    user_id: string | null;
    recipient_key: string | null;
    kind: string;
    title: string;
    body: string | null;
    event_id: string | null;
    link: string | null;
    read_at: Date | null;
    created_at: Timestamp;
  };
  outbox: {
    id: Generated<number>;
    topic: string;
    channel: Generated<string>;
    payload: Json;
    created_at: Timestamp;
    attempts: Generated<number>;
    delivered_at: Date | null;
    last_error: string | null;
  };
}

// Module tables are merged here as modules are added (one interface per module).
export interface DB extends CoreTables, BusinessTables, EventTables, NotificationTables, FileTables,
  JobTables, CatalogueTables, PatrolTables {}
