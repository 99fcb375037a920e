-- B1–B3: the registry of food businesses (主体).
CREATE TABLE businesses (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  credit_code text,
  license_no text,
  license_expiry date,
  type text NOT NULL CHECK (type IN ('production','sales','catering','school_canteen','kindergarten_canteen','workshop','stall','farm','other')),
  region_id bigint NOT NULL REFERENCES regions(id),
  region_path text NOT NULL,
  address text,
  lat double precision,
  lng double precision,
  diners_count int CHECK (diners_count IS NULL OR diners_count >= 0),
  employees int CHECK (employees IS NULL OR employees >= 0),
  revenue_wan double precision CHECK (revenue_wan IS NULL OR revenue_wan >= 0),
  grade text NOT NULL CHECK (grade IN ('A','B','C','D')),
  grade_computed text NOT NULL CHECK (grade_computed IN ('A','B','C','D')),
  grade_override_reason text,
  grade_override_by uuid REFERENCES users(id),
  grade_override_at timestamptz,
  risk_level text NOT NULL DEFAULT 'normal' CHECK (risk_level IN ('high','medium','normal','low')),
  credit_risk_class text CHECK (credit_risk_class IN ('A','B','C','D')),
  status text NOT NULL DEFAULT 'operating' CHECK (status IN ('operating','suspended','revoked','closed')),
  food_safety_director text,
  food_safety_officer text,
  contact_name text,
  contact_phone text,
  insured boolean NOT NULL DEFAULT false,
  insurance_expiry date,
  product_tags text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE businesses IS 'B1 food businesses; region_id is a unit (单元) of the region tree.';
COMMENT ON COLUMN businesses.region_path IS 'Copy of the unit''s materialised path: jurisdiction and subtree filters are one prefix range.';
COMMENT ON COLUMN businesses.grade IS 'B2 effective grade: the override when one is recorded, else grade_computed.';
COMMENT ON COLUMN businesses.grade_computed IS 'B2 grade from the seed 003 rules (pure function domain/grading.ts).';
COMMENT ON COLUMN businesses.product_tags IS 'What it makes/sells (dairy, meat …): feeds the high-risk rule of seed 003.';
CREATE INDEX businesses_region_path_idx ON businesses (region_path text_pattern_ops);
CREATE INDEX businesses_region_idx ON businesses (region_id);
CREATE INDEX businesses_name_trgm_idx ON businesses USING gin (name gin_trgm_ops);
CREATE UNIQUE INDEX businesses_credit_code_uq ON businesses (credit_code) WHERE credit_code IS NOT NULL;
CREATE INDEX businesses_license_idx ON businesses (license_no);

CREATE TABLE business_followers (
  business_id uuid NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  follower_key text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (business_id, follower_key)
);
COMMENT ON TABLE business_followers IS 'H4: the N citizens who follow a business (phone hash or volunteer id).';
