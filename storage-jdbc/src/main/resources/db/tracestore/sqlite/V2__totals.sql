-- TraceStore schema, version 2, for SQLite: what a batch adds to its trace besides the count
-- (tool calls, the four token sums, the latest message instant, epoch microseconds) and the
-- ingest cursor, on the trace; each message's own tool calls and token usage. Totals of traces
-- from version 1 stay null (unknown) until the backfill or a recount fills them. SQLite adds one
-- column per statement; the whole migration is one transaction.
ALTER TABLE "${prefix}traces" ADD COLUMN tool_call_count INTEGER;
ALTER TABLE "${prefix}traces" ADD COLUMN input_tokens INTEGER;
ALTER TABLE "${prefix}traces" ADD COLUMN output_tokens INTEGER;
ALTER TABLE "${prefix}traces" ADD COLUMN cache_read_tokens INTEGER;
ALTER TABLE "${prefix}traces" ADD COLUMN cache_write_tokens INTEGER;
ALTER TABLE "${prefix}traces" ADD COLUMN last_message_at INTEGER;
ALTER TABLE "${prefix}traces" ADD COLUMN ingest_cursor TEXT;
-- Usage: null when the agent reported none.
ALTER TABLE "${prefix}messages" ADD COLUMN tool_calls INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "${prefix}messages" ADD COLUMN input_tokens INTEGER;
ALTER TABLE "${prefix}messages" ADD COLUMN output_tokens INTEGER;
ALTER TABLE "${prefix}messages" ADD COLUMN cache_read_tokens INTEGER;
ALTER TABLE "${prefix}messages" ADD COLUMN cache_write_tokens INTEGER;
