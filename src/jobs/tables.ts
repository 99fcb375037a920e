import type { Generated } from 'kysely';
import type { Json, Timestamp } from '../db/schema.js';

/** Tables of the job runner (N2) and the deadline sweep (E10); see migration 0040. */
export interface JobTables {
  jobs: {
    id: Generated<number>;
    name: string;
    run_at: Timestamp;
    payload: Json;
    status: Generated<string>;
    attempts: Generated<number>;
    max_attempts: Generated<number>;
    dedupe_key: string | null;
    locked_by: string | null;
    locked_at: Date | null;
    last_error: string | null;
    created_at: Timestamp;
    finished_at: Date | null;
  };
  job_runs: {
    name: string;
    slot: Date;
    runner: string;
    status: Generated<string>;
    started_at: Timestamp;
    finished_at: Date | null;
    result: Json | null;
    error: string | null;
  };
  event_deadline_flags: {
    event_id: string;
    deadline: Date;
    tier: string;
    overdue_at: Date;
    escalated_at: Date | null;
    escalation_error: string | null;
  };
}
