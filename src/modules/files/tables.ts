import type { Timestamp } from '../../db/schema.js';

export interface FilesTable {
  id: string;
  kind: 'image' | 'video';
  mime: string;
  original_name: string | null;
  size_bytes: number;
  sha256: string;
  width: number | null;
  height: number | null;
  storage_key: string;
  thumb_key: string | null;
  uploaded_by: string | null;
  public_upload: boolean;
  event_id: string | null;
  history_seq: number | null;
  entity: string | null;
  entity_id: string | null;
  region_path: string | null;
  created_at: Timestamp;
  attached_at: Date | null;
}

export interface FileTables {
  files: FilesTable;
}
