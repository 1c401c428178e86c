-- TraceStore schema, version 2, for PostgreSQL: what a batch adds to its trace besides the
-- count (tool calls, the four token sums, the latest message instant) and the ingest cursor,
-- on the trace; each message's own tool calls and token usage. Totals of traces from version 1
-- stay null (unknown) until the backfill or a recount fills them, as an unknown count does.
-- PostgreSQL rolls the whole version back if a statement fails.
ALTER TABLE "${prefix}traces"
    ADD COLUMN tool_call_count BIGINT,
    ADD COLUMN input_tokens BIGINT,
    ADD COLUMN output_tokens BIGINT,
    ADD COLUMN cache_read_tokens BIGINT,
    ADD COLUMN cache_write_tokens BIGINT,
    ADD COLUMN last_message_at TIMESTAMPTZ,
    ADD COLUMN ingest_cursor VARCHAR(1000);
-- Usage: null when the agent reported none.
ALTER TABLE "${prefix}messages"
    ADD COLUMN tool_calls INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN input_tokens BIGINT,
    ADD COLUMN output_tokens BIGINT,
    ADD COLUMN cache_read_tokens BIGINT,
    ADD COLUMN cache_write_tokens BIGINT;
