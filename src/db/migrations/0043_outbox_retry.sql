-- X3/N2: failed outbox deliveries back off instead of retrying every few seconds.
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS next_attempt_at timestamptz;
COMMENT ON COLUMN outbox.next_attempt_at IS 'After a failed delivery: not before this time (exponential backoff, 10 s doubling, set by the outbox.deliver job).';
