-- B3: whether the risk level was set by staff (kept) or computed from the seed 003 rules (recomputed on edit).
ALTER TABLE businesses ADD COLUMN risk_level_manual boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN businesses.risk_level_manual IS 'B3: true when staff set risk_level; false when it follows domain/risk.ts and is recomputed when type or product tags change.';
-- B2: the override grade itself (grade = override when present) and the text basis of the computed grade.
ALTER TABLE businesses ADD COLUMN grade_override text CHECK (grade_override IS NULL OR grade_override IN ('A','B','C','D'));
ALTER TABLE businesses ADD COLUMN grade_basis text;
COMMENT ON COLUMN businesses.grade_override IS 'B2 manual grade; with grade_override_reason/_by/_at it records who overrode, why and when.';
COMMENT ON COLUMN businesses.grade_basis IS 'B2 Chinese explanation of grade_computed (size class and indicators used, or the diner band).';
CREATE INDEX businesses_grade_idx ON businesses (grade);

-- B4: imports of the registry from Excel/CSV, with progress for the web progress bar.
CREATE TABLE business_import_jobs (
  id uuid PRIMARY KEY,
  created_by uuid NOT NULL REFERENCES users(id),
  file_name text NOT NULL,
  status text NOT NULL DEFAULT 'validating' CHECK (status IN ('validating','importing','done','failed')),
  total int NOT NULL DEFAULT 0,
  processed int NOT NULL DEFAULT 0,
  imported int NOT NULL DEFAULT 0,
  errors jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
COMMENT ON TABLE business_import_jobs IS 'B4 one registry import: every row is validated first; if any row is bad nothing is written and errors lists [{row, field, message}]; else all rows are written in one transaction. Only its creator can read it.';
COMMENT ON COLUMN business_import_jobs.processed IS 'Rows validated (status validating) or written (importing); total is the number of data rows in the file.';
CREATE INDEX business_import_jobs_creator_idx ON business_import_jobs (created_by, created_at);
