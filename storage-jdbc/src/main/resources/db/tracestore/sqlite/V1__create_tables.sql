-- TraceStore schema, version 1, for SQLite 3.35+. ${prefix} is the table prefix (may be empty).
-- Instants are epoch microseconds. AUTOINCREMENT: a deleted trace's id is never reused.
-- Foreign keys are enforced only on connections opened with foreign_keys=true.
-- Every statement is idempotent, so that two processes migrating at once both succeed.
CREATE TABLE IF NOT EXISTS "${prefix}traces" (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    namespace TEXT NOT NULL,
    external_id TEXT NOT NULL,
    title TEXT,
    agent_id TEXT,
    model TEXT,
    visibility TEXT NOT NULL,
    project_name TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    -- null: unknown (a row from before counts existed); the backfill fills it
    message_count INTEGER,
    -- 1: tombstoned, being deleted; invisible to reads, refuses writes
    deleting INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "${prefix}traces_key" UNIQUE (namespace, external_id)
);
CREATE INDEX IF NOT EXISTS "${prefix}traces_list" ON "${prefix}traces" (namespace, updated_at, id);
CREATE TABLE IF NOT EXISTS "${prefix}messages" (
    trace_id INTEGER NOT NULL REFERENCES "${prefix}traces" (id),
    external_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    role TEXT NOT NULL,
    body TEXT NOT NULL,
    model TEXT,
    created_at INTEGER NOT NULL,
    parts_json TEXT,
    CONSTRAINT "${prefix}messages_key" PRIMARY KEY (trace_id, external_id)
);
CREATE INDEX IF NOT EXISTS "${prefix}messages_page" ON "${prefix}messages" (trace_id, seq, external_id);
