-- E8: a business's own account answers rectification orders for that business.
ALTER TABLE users ADD COLUMN business_id uuid REFERENCES businesses(id);
COMMENT ON COLUMN users.business_id IS 'For role business: the food business this account speaks for (rectification feedback, self-inspection).';
CREATE INDEX users_business_idx ON users (business_id) WHERE business_id IS NOT NULL;
