-- TraceStore schema, version 2, for MySQL and MariaDB: what a batch adds to its trace besides
-- the count (tool calls, the four token sums, the latest message instant) and the ingest
-- cursor, on the trace; each message's own tool calls and token usage. Totals of traces from
-- version 1 stay null (unknown) until the backfill or a recount fills them.
-- One ALTER TABLE per table, each applied whole; MySQL commits each at once, so a version
-- interrupted between the two is reported by the next migrate() (see Migrator).
ALTER TABLE `${prefix}traces`
    ADD COLUMN tool_call_count BIGINT NULL,
    ADD COLUMN input_tokens BIGINT NULL,
    ADD COLUMN output_tokens BIGINT NULL,
    ADD COLUMN cache_read_tokens BIGINT NULL,
    ADD COLUMN cache_write_tokens BIGINT NULL,
    ADD COLUMN last_message_at DATETIME(6) NULL,
    ADD COLUMN ingest_cursor VARCHAR(1000) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL;
-- Usage: null when the agent reported none.
ALTER TABLE `${prefix}messages`
    ADD COLUMN tool_calls INT NOT NULL DEFAULT 0,
    ADD COLUMN input_tokens BIGINT NULL,
    ADD COLUMN output_tokens BIGINT NULL,
    ADD COLUMN cache_read_tokens BIGINT NULL,
    ADD COLUMN cache_write_tokens BIGINT NULL;
