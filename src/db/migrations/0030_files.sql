-- E1/E13/I4: photos and videos of events (and of other records later: patrols, rectifications).
-- The bytes live on disk (config uploadDir, by date/uuid); this table is the index and the
-- jurisdiction anchor of every download.
CREATE TABLE files (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('image','video')),
  mime text NOT NULL,
  original_name text,
  size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
  sha256 text NOT NULL,
  width int,
  height int,
  storage_key text NOT NULL UNIQUE,
  thumb_key text,
  uploaded_by uuid REFERENCES users(id),
  public_upload boolean NOT NULL DEFAULT false,
  event_id uuid REFERENCES events(id),
  history_seq int,
  entity text,
  entity_id text,
  region_path text,
  created_at timestamptz NOT NULL DEFAULT now(),
  attached_at timestamptz,
  CHECK (uploaded_by IS NOT NULL OR public_upload),
  CHECK ((entity IS NULL) = (attached_at IS NULL))
);
COMMENT ON TABLE files IS 'Uploaded photos/videos. Type decided by content (magic bytes); images re-encoded without EXIF/GPS, videos with udta/meta boxes blanked.';
COMMENT ON COLUMN files.uploaded_by IS 'Staff uploader; NULL for a public reporter (public_upload = true).';
COMMENT ON COLUMN files.entity IS 'What the file is attached to (event, patrol …); NULL while uploaded ahead of the record that will use it.';
COMMENT ON COLUMN files.region_path IS 'Region path of the record it is attached to: the I4 jurisdiction check of downloads.';
COMMENT ON COLUMN files.history_seq IS 'E13: the event_history step the file belongs to (NULL = the event itself).';
CREATE INDEX files_event_idx ON files (event_id, created_at) WHERE event_id IS NOT NULL;
CREATE INDEX files_entity_idx ON files (entity, entity_id) WHERE entity IS NOT NULL;
CREATE INDEX files_unattached_idx ON files (created_at) WHERE entity IS NULL;
