-- B1 registry search: staff type part of a name or address, or paste the start of a credit code / licence number.
CREATE INDEX businesses_address_trgm_idx ON businesses USING gin (address gin_trgm_ops);
CREATE INDEX businesses_credit_code_prefix_idx ON businesses (credit_code text_pattern_ops);
CREATE INDEX businesses_license_prefix_idx ON businesses (license_no text_pattern_ops);
-- licence expiry reminders and the "expiring by" filter
CREATE INDEX businesses_license_expiry_idx ON businesses (license_expiry) WHERE license_expiry IS NOT NULL;
