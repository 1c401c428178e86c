-- TraceStore schema, version 2, for H2: what a batch adds to its trace besides the count (tool
-- calls, the four token sums, the latest message instant) and the ingest cursor, on the
-- trace; each message's own tool calls and token usage. Totals of traces from version 1 stay
-- null (unknown) until the backfill or a recount fills them. IF NOT EXISTS: H2 commits each
-- statement at once, so an interrupted version is finished by running it again.
ALTER TABLE "${prefix}traces" ADD COLUMN IF NOT EXISTS tool_call_count BIGINT;
ALTER TABLE "${prefix}traces" ADD COLUMN IF NOT EXISTS input_tokens BIGINT;
ALTER TABLE "${prefix}traces" ADD COLUMN IF NOT EXISTS output_tokens BIGINT;
ALTER TABLE "${prefix}traces" ADD COLUMN IF NOT EXISTS cache_read_tokens BIGINT;
ALTER TABLE "${prefix}traces" ADD COLUMN IF NOT EXISTS cache_write_tokens BIGINT;
ALTER TABLE "${prefix}traces" ADD COLUMN IF NOT EXISTS last_message_at TIMESTAMP(6);
ALTER TABLE "${prefix}traces" ADD COLUMN IF NOT EXISTS ingest_cursor VARCHAR(1000);
-- Usage: null when the agent reported none.
ALTER TABLE "${prefix}messages" ADD COLUMN IF NOT EXISTS tool_calls INTEGER DEFAULT 0 NOT NULL;
ALTER TABLE "${prefix}messages" ADD COLUMN IF NOT EXISTS input_tokens BIGINT;
ALTER TABLE "${prefix}messages" ADD COLUMN IF NOT EXISTS output_tokens BIGINT;
ALTER TABLE "${prefix}messages" ADD COLUMN IF NOT EXISTS cache_read_tokens BIGINT;
ALTER TABLE "${prefix}messages" ADD COLUMN IF NOT EXISTS cache_write_tokens BIGINT;
